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
    public static IEnumerable<ReadOnlyMemory<byte>> ReadRecords(Stream compressed, string sourceName, int maxAtomBytes)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        var input = new TrailerWatch(compressed);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress, leaveOpen: true);
        var lengthBytes = new byte[4];
        var record = new byte[256];
        var checksum = new Adler32();
        long offset = 0;
        for (var index = 1L; ; index++)
        {
            var got = Fill(zlib, lengthBytes, sourceName, index, offset);
            checksum.Append(lengthBytes.AsSpan(0, got));
            if (got == 0)
            {
                // .NET's inflater ends quietly when its input runs out, whole or not: a stream is
                // complete only if it ends with the Adler-32 of all it held, and nothing after.
                if (input.Read(new byte[1]) > 0 || !input.EndsWith(checksum.Value))
                {
                    throw Damaged(sourceName, index, offset, "the zlib stream is cut short, or followed by other data (its Adler-32 checksum is not at its end)");
                }

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

            checksum.Append(record.AsSpan(0, (int)length));

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

    /// <summary>Adler-32 (RFC 1950), the checksum a zlib stream ends with.</summary>
    private struct Adler32()
    {
        private const uint Modulus = 65521;

        // The most bytes summed before the sums must be reduced, so they cannot overflow 32 bits.
        private const int Run = 5552;

        private uint _a = 1;
        private uint _b;

        public readonly uint Value => (_b << 16) | _a;

        public void Append(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                var run = data[..Math.Min(data.Length, Run)];
                foreach (var b in run)
                {
                    _a += b;
                    _b += _a;
                }

                (_a, _b) = (_a % Modulus, _b % Modulus);
                data = data[run.Length..];
            }
        }
    }

    /// <summary>Reads through to a stream, keeping its last four bytes read: where a whole zlib stream keeps its checksum.</summary>
    private sealed class TrailerWatch(Stream inner) : Stream
    {
        private readonly byte[] _last = new byte[4];
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        /// <summary>True if at least four bytes were read and the last four are <paramref name="checksum"/>, big-endian.</summary>
        public bool EndsWith(uint checksum) => _read >= 4 && BinaryPrimitives.ReadUInt32BigEndian(_last) == checksum;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var got = inner.Read(buffer);
            Keep(buffer[..got]);
            return got;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var got = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Keep(buffer.Span[..got]);
            return got;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void Keep(ReadOnlySpan<byte> got)
        {
            if (got.Length >= 4)
            {
                got[^4..].CopyTo(_last);
            }
            else if (!got.IsEmpty)
            {
                // Shift the kept bytes left by what came, then append it.
                _last.AsSpan(got.Length).CopyTo(_last);
                got.CopyTo(_last.AsSpan(4 - got.Length));
            }

            _read += got.Length;
        }
    }

    private static InvalidDataException Damaged(string sourceName, long index, long offset, string reason) =>
        new($"{sourceName}: record {index:N0} (uncompressed byte {offset:N0}): {reason}");
}
