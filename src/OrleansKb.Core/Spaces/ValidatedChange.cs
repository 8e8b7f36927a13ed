using System.Buffers;
using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// A change to a space, checked whole and not yet applied (<see cref="AtomSpace.Validate"/>). Once
/// applied, it holds only the atoms that changed the space — what a durable space logs
/// (<see cref="Atoms"/>). Holds a pooled buffer until disposed.
/// </summary>
public sealed class ValidatedChange : IDisposable
{
    private readonly AtomSpace _space;
    private ValidatedBatch? _keys;

    internal ValidatedChange(AtomSpace space, LogOperation operation, ValidatedBatch? keys)
    {
        _space = space;
        Operation = operation;
        _keys = keys;
    }

    public LogOperation Operation { get; }

    /// <summary>
    /// The change's atoms, encoded back to back, validated (empty for a clear): before
    /// <see cref="Apply"/> every atom of the batch, after it those that changed the space (an add's
    /// new atoms, a remove's present ones).
    /// </summary>
    public ReadOnlyMemory<byte> Atoms => _keys?.Writer.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    /// <summary>How many atoms <see cref="Atoms"/> holds.</summary>
    public int Count => _keys?.Writer.AtomCount ?? 0;

    /// <summary>Applies the change; returns how many atoms were added (or removed, or cleared).</summary>
    public int Apply()
    {
        if (_keys?.Writer is not { } keys)
        {
            return _space.Apply(Operation, null, default);
        }

        var changed = ArrayPool<bool>.Shared.Rent(keys.AtomCount);
        try
        {
            var flags = changed.AsSpan(0, keys.AtomCount);
            flags.Clear();
            var applied = _space.Apply(Operation, keys, flags);
            if (applied < keys.AtomCount)
            {
                keys.KeepAtoms(flags);
            }

            return applied;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(changed);
        }
    }

    public void Dispose()
    {
        _keys?.Dispose();
        _keys = null;
    }
}
