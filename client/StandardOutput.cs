using Microsoft.Win32.SafeHandles;

namespace OrleansKb.Cli;

/// <summary>
/// Standard output as a stream that says when its reader has gone (<c>orleanskb match … | head</c>):
/// .NET's console stream ignores a broken pipe, which would leave a match running for a reader
/// that is no longer there. When standard output is a pipe, it is written here directly, and a write
/// to a closed pipe throws <see cref="OutputClosedException"/>; a terminal or a file (which cannot
/// close under us, and which a stream with a position of its own must not write to) goes through
/// the console's stream.
/// </summary>
internal sealed class StandardOutput : Stream
{
    private readonly Stream _stdout = OpenPipeOrConsole();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            _stdout.Write(buffer);
        }
        catch (IOException e)
        {
            throw new OutputClosedException(e);
        }
    }

    public override void Flush()
    {
        try
        {
            _stdout.Flush();
        }
        catch (IOException e)
        {
            throw new OutputClosedException(e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private static Stream OpenPipeOrConsole()
    {
        var pipe = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        if (!pipe.CanSeek)
        {
            return pipe;
        }

        pipe.Dispose();
        return Console.OpenStandardOutput();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stdout.Dispose();
        }

        base.Dispose(disposing);
    }
}
