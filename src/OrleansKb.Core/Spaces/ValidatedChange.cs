using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// A change to a space, checked whole and not yet applied (<see cref="AtomSpace.Validate"/>): what a
/// durable space logs (<see cref="Atoms"/>) before it applies it. Holds a pooled buffer until disposed.
/// </summary>
public sealed class ValidatedChange : IDisposable
{
    private readonly AtomSpace _environment;
    private ValidatedBatch? _keys;

    internal ValidatedChange(AtomSpace environment, LogOperation operation, ValidatedBatch? keys)
    {
        _environment = environment;
        Operation = operation;
        _keys = keys;
    }

    public LogOperation Operation { get; }

    /// <summary>The change's atoms, encoded back to back, validated (empty for a clear).</summary>
    public ReadOnlyMemory<byte> Atoms => _keys?.Writer.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>How many atoms the change carries.</summary>
    public int Count => _keys?.Writer.AtomCount ?? 0;

    /// <summary>Applies the change; returns how many atoms were added (or removed, or cleared).</summary>
    public int Apply() => _environment.Apply(Operation, _keys?.Writer);

    public void Dispose()
    {
        _keys?.Dispose();
        _keys = null;
    }
}
