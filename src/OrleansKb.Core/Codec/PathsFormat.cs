using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansKb.Codec;

/// <summary>
/// MORK's serialised-space format, the <c>.paths</c> files of PathMap (docs/encoding.md, "MORK
/// interchange"): one zlib stream (RFC 1950) of records <c>[u32 little-endian length][encoded atom]</c>,
/// in key order. Our encoding is MORK's where MORK can express the atom, so a record is a key as it
/// is; an atom MORK cannot express keeps our extension tags (<see cref="UsesExtensions"/>).
/// </summary>
public static class PathsFormat
{
    /// <summary>The extension by which <c>orleanskb load</c> recognises a <c>.paths</c> file.</summary>
    public const string Extension = ".paths";

    /// <summary>
    /// True if <paramref name="atom"/> (one valid encoded atom) holds one of our extension tags — a
    /// token over 63 bytes, an expression over 63 children, a 65th variable — which MORK cannot read.
    /// </summary>
    public static bool UsesExtensions(ReadOnlySpan<byte> atom)
    {
        for (var pos = 0; pos < atom.Length;)
        {
            var tag = atom[pos];
            if (tag is EncodingTags.LongArity or EncodingTags.LongSymbol or EncodingTags.LongVarRef)
            {
                return true;
            }

            // A short symbol's bytes follow its tag; arity, NewVar and VarRef are one byte.
            pos += tag > EncodingTags.SymbolBase ? 1 + (tag - EncodingTags.SymbolBase) : 1;
        }

        return false;
    }

    /// <summary>
    /// The records of a <c>.paths</c> stream, each checked to be exactly one valid encoded atom of at
    /// most <paramref name="maxAtomBytes"/> bytes. A record is valid until the next is read. A damaged
    /// stream or record is an <see cref="InvalidDataException"/> naming <paramref name="sourceName"/>
    /// and the record.
    /// </summary>
    public static IEnumerable<ReadOnlyMemory<byte>> ReadRecords(Stream compressed, string sourceName, int maxAtomBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        using var zlib = new ZLibStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        var lengthBytes = new byte[4];
        var record = new byte[256];
        long offset = 0;
        for (var index = 1L; ; index++)
        {
            var got = Fill(zlib, lengthBytes, sourceName, index, offset);
            if (got == 0)
            {
                yield break;
            }

            if (got < 4)
            {
                throw Damaged(sourceName, index, offset, "the stream ends inside the record's length");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
            if (length == 0 || length > maxAtomBytes)
            {
                throw Damaged(sourceName, index, offset, length == 0 ? "an empty record" : $"a record of {length:N0} bytes, over the limit of {maxAtomBytes:N0} for one atom");
            }

            if (record.Length < length)
            {
                record = new byte[Math.Max(length, record.Length * 2)];
            }

            if (Fill(zlib, record.AsMemory(0, (int)length), sourceName, index, offset) < length)
            {
                throw Damaged(sourceName, index, offset, $"the stream ends inside the record ({length:N0} bytes)");
            }

            int measured;
            try
            {
                measured = AtomDecoder.Measure(record.AsSpan(0, (int)length));
            }
            catch (MalformedEncodingException e)
            {
                throw Damaged(sourceName, index, offset, $"not an encoded atom: {e.Message}");
            }

            if (measured != length)
            {
                throw Damaged(sourceName, index, offset, $"{length - measured:N0} bytes after the atom's end");
            }

            yield return record.AsMemory(0, (int)length);
            offset += 4 + length;
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; how many bytes were read.</summary>
    private static int Fill(Stream zlib, Memory<byte> buffer, string sourceName, long index, long offset)
    {
        try
        {
            return zlib.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Damaged(sourceName, index, offset, $"the zlib stream is damaged or is not one ({e.Message})");
        }
    }

    private static InvalidDataException Damaged(string sourceName, long index, long offset, string reason) =>
        new($"{sourceName}: record {index:N0} (uncompressed byte {offset:N0}): {reason}");
}
