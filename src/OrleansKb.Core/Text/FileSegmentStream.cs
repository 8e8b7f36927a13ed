namespace OrleansKb.Text;

/// <summary>A read-only stream over one <see cref="FileSegment"/> of a file, for a reader of its own.</summary>
public sealed class FileSegmentStream : Stream
{
    private readonly FileStream _file;
    private readonly long _end;

    public FileSegmentStream(string path, FileSegment segment)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        _file.Position = segment.Offset;
        _end = segment.Offset + segment.Length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var left = _end - _file.Position;
        return left <= 0 ? 0 : _file.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
