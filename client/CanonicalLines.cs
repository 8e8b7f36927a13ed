using System.Buffers;
using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>Writes atoms in canonical text, one per line, buffered.</summary>
internal sealed class CanonicalLines(TextWriter output) : IAsyncDisposable
{
    private readonly ArrayBufferWriter<byte> _text = new(1 << 16);

    public void Write(Atom atom)
    {
        MettaPrinter.WriteLine(atom, _text);
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
