using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansKb.Codec;

/// <summary>Writes encoded atoms as a <c>.paths</c> stream (<see cref="PathsFormat"/>), counting those MORK cannot read.</summary>
public sealed class PathsWriter : IDisposable, IAsyncDisposable
{
    // A whole zlib stream of no bytes (header, an empty final block, Adler-32 of nothing): what an
    // empty space is written as, since ZLibStream writes nothing at all when given nothing.
    private static readonly byte[] EmptyStream = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

    private readonly Stream _output;
    private readonly ZLibStream _zlib;
    private readonly byte[] _length = new byte[4];

    /// <summary>Compresses into <paramref name="output"/>, which is left open.</summary>
    public PathsWriter(Stream output)
    {
        _output = output;
        _zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true);
    }

    /// <summary>Records written.</summary>
    public long Atoms { get; private set; }

    /// <summary>Records that hold our extension tags (<see cref="PathsFormat.UsesExtensions"/>).</summary>
    public long Extended { get; private set; }

    /// <summary>Writes one encoded atom as a record.</summary>
    public void Write(ReadOnlySpan<byte> atom)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_length, (uint)atom.Length);
        _zlib.Write(_length);
        _zlib.Write(atom);
        Atoms++;
        if (PathsFormat.UsesExtensions(atom))
        {
            Extended++;
        }
    }

    /// <summary>Ends the zlib stream (its trailer is written).</summary>
    public void Dispose()
    {
        _zlib.Dispose();
        if (Atoms == 0)
        {
            _output.Write(EmptyStream);
        }
    }

    /// <summary>Ends the compressed stream (an empty one if no atom was written); the output stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        await _zlib.DisposeAsync().ConfigureAwait(false);
        if (Atoms == 0)
        {
            await _output.WriteAsync(EmptyStream).ConfigureAwait(false);
        }
    }
}
