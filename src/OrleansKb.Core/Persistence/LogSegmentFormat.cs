using System.Buffers.Binary;
using System.IO.Hashing;

namespace OrleansKb.Persistence;

/// <summary>
/// A log segment (docs/durability.md): the header <c>OKBLOG01</c>, then records
/// <c>u32 length, u64 sequence, u8 operation, u32 CRC-32 of those 13 bytes, atoms, u32 CRC-32 of
/// everything before it in the record</c>, little-endian. The header's own checksum tells a length
/// damaged in place from a write the crash cut short.
/// </summary>
internal static class LogSegmentFormat
{
    public const int HeaderBytes = 8;
    private const int RecordHead = 4 + 8 + 1;
    private const int CheckedHead = RecordHead + 4;
    private const int RecordTail = 4;

    public static ReadOnlySpan<byte> Header => "OKBLOG01"u8;

    public static int RecordBytes(int atoms) => CheckedHead + atoms + RecordTail;

    /// <summary>Writes <paramref name="record"/> into <paramref name="destination"/>, exactly <see cref="RecordBytes"/> long.</summary>
    public static void Write(LogRecord record, Span<byte> destination)
    {
        var atoms = record.Atoms.Span;
        BinaryPrimitives.WriteInt32LittleEndian(destination, atoms.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], record.Sequence);
        destination[12] = (byte)record.Operation;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[RecordHead..], Crc32.HashToUInt32(destination[..RecordHead]));
        atoms.CopyTo(destination[CheckedHead..]);
        var covered = CheckedHead + atoms.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[covered..], Crc32.HashToUInt32(destination[..covered]));
    }

    /// <summary>
    /// Reads a segment's records in order; the first must be <paramref name="firstSequence"/> and each
    /// the next. In the last segment of a log, a write the crash cut short (never acknowledged) ends
    /// the log: fewer bytes than a record head, only zeros from some record on, or a record whose head
    /// is intact and checks but whose atoms run past the end of the file or fail their checksum at the
    /// very end. Reading then stops and returns where the good data ends. Anything else — a head that
    /// fails its checksum with data after it, a record out of sequence, damage in any segment but the
    /// last — is a <see cref="StoreCorruptedException"/> naming the file and offset: nothing acknowledged
    /// is dropped silently.
    /// <para>
    /// The segment is read a record at a time into one buffer (a record's atoms are passed on only
    /// for the call): a recovery holds the space it rebuilds and one record, not the whole segment.
    /// </para>
    /// </summary>
    public static long Read(string path, bool last, long firstSequence, Action<LogRecord> record)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var fileLength = file.Length;
        var buffer = new byte[(int)Math.Clamp(fileLength, CheckedHead, 1 << 20)];
        var header = buffer.AsSpan(0, file.ReadAtLeast(buffer.AsSpan(0, HeaderBytes), HeaderBytes, throwOnEndOfStream: false));
        if (header.Length < HeaderBytes || !header.SequenceEqual(Header))
        {
            // A segment is created with its header flushed before any record: a last segment with a
            // partial or zeroed header was cut short as it was made, and holds nothing.
            if (last && (ZerosFrom(file, 0) || (header.Length == fileLength && Header.StartsWith(header))))
            {
                return 0;
            }

            throw new StoreCorruptedException($"{path}: not a log segment (no OKBLOG01 header at offset 0)");
        }

        long offset = HeaderBytes;
        var expected = firstSequence;
        while (offset < fileLength)
        {
            var rest = fileLength - offset;
            if (rest < CheckedHead || (ReadHead(file, buffer) && ZerosFrom(file, offset)))
            {
                return last ? offset : throw new StoreCorruptedException($"{path}: {rest:N0} bytes at offset {offset:N0} are not a record");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
            var sequence = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(4));
            if (Crc32.HashToUInt32(buffer.AsSpan(0, RecordHead)) != BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(RecordHead)) || length < 0)
            {
                throw new StoreCorruptedException($"{path}: the record head at offset {offset:N0} fails its checksum");
            }

            if (sequence != expected)
            {
                throw new StoreCorruptedException($"{path}: holds record {sequence:N0} at offset {offset:N0} where record {expected:N0} should be");
            }

            if (length > rest - CheckedHead - RecordTail)
            {
                // The head was written whole, the atoms were not: the write of the last record was cut short.
                return last ? offset : throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} runs past the end of the segment");
            }

            var covered = CheckedHead + length;
            if (buffer.Length < covered + RecordTail)
            {
                var grown = new byte[Math.Max(covered + RecordTail, (int)Math.Min(2L * buffer.Length, Array.MaxLength))];
                buffer.AsSpan(0, CheckedHead).CopyTo(grown);
                buffer = grown;
            }

            file.ReadExactly(buffer, CheckedHead, length + RecordTail);
            if (Crc32.HashToUInt32(buffer.AsSpan(0, covered)) != BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(covered)))
            {
                return last && offset + covered + RecordTail == fileLength
                    ? offset
                    : throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} fails its checksum");
            }

            var operation = (LogOperation)buffer[12];
            if (!Enum.IsDefined(operation))
            {
                throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} has an unknown operation {buffer[12]}");
            }

            record(new LogRecord(sequence, operation, buffer.AsMemory(CheckedHead, length)));
            expected++;
            offset += covered + RecordTail;
        }

        return offset;
    }

    /// <summary>Reads a record's checked head (the file is at its start) into the front of <paramref name="buffer"/>; true if it is all zeros.</summary>
    private static bool ReadHead(FileStream file, byte[] buffer)
    {
        file.ReadExactly(buffer, 0, CheckedHead);
        return !buffer.AsSpan(0, CheckedHead).ContainsAnyExcept((byte)0);
    }

    /// <summary>True if everything from <paramref name="offset"/> on is zeros: space the file system allocated for a write that never landed.</summary>
    private static bool ZerosFrom(FileStream file, long offset)
    {
        file.Position = offset;
        Span<byte> chunk = stackalloc byte[4096];
        for (int read; (read = file.Read(chunk)) > 0;)
        {
            if (chunk[..read].ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }

        return true;
    }
}
