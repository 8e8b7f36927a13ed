using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansKb.Workloads;

/// <summary>
/// <c>.paths</c> files made by hand from the format's description (docs/encoding.md, "MORK
/// interchange"), not by our writer: one zlib stream of records, each a little-endian u32 length
/// and that many bytes — how tests check the reader against MORK's layout.
/// </summary>
public static class HandMadePaths
{
    /// <summary>A whole file of <paramref name="records"/>, in the order given.</summary>
    public static byte[] Of(IEnumerable<byte[]> records) => Zlib([.. records.SelectMany(Prefixed)]);

    /// <summary>A record: its length, then its bytes.</summary>
    public static byte[] Prefixed(byte[] record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)record.Length);
        return [.. length, .. record];
    }

    /// <summary><paramref name="plain"/> as one zlib stream.</summary>
    public static byte[] Zlib(byte[] plain)
    {
        var file = new MemoryStream();
        using (var zlib = new ZLibStream(file, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(plain);
        }

        return file.ToArray();
    }
}
