using System.Buffers;
using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>
/// Writes atoms in canonical text, one per line, buffered; or, <paramref name="forOtherReaders"/>, with
/// symbols that are not words written as strings (<see cref="MettaPrinter.WriteLineForOtherReaders"/>).
/// </summary>
internal sealed class CanonicalLines(TextWriter output, bool forOtherReaders = false) : IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> _text = new(1 << 16);

    /// <summary>How many symbols were written as strings.</summary>
    public long SymbolsAsStrings { get; private set; }

    public void Write(Atom atom)
    {
        if (forOtherReaders)
        {
            SymbolsAsStrings += MettaPrinter.WriteLineForOtherReaders(atom, _text);
        }
        else
        {
            MettaPrinter.WriteLine(atom, _text);
        }

        if (_text.WrittenCount >= 1 << 16)
        {
            Flush();
        }
    }

    public ValueTask DisposeAsync()
    {
        Flush();
        return ValueTask.CompletedTask;
    }

    private void Flush()
    {
        output.Write(Encoding.UTF8.GetString(_text.WrittenSpan));
        _text.ResetWrittenCount();
    }
}
