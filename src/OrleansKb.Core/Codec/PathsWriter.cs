using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansKb.Codec;

/// <summary>Writes encoded atoms as a <c>.paths</c> stream (<see cref="PathsFormat"/>), counting those MORK cannot read.</summary>
public sealed class PathsWriter : IDisposable, IAsyncDisposable
{
    private readonly ZLibStream _zlib;
    private readonly byte[] _length = new byte[4];

    /// <summary>Compresses into <paramref name="output"/>, which is left open.</summary>
    public PathsWriter(Stream output) => _zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true);

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
    public void Dispose() => _zlib.Dispose();

    public ValueTask DisposeAsync() => _zlib.DisposeAsync();
}
