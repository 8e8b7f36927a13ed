using System.Buffers.Binary;
using System.IO.Hashing;

namespace OrleansKb.Persistence;

/// <summary>
/// A log segment (docs/durability.md): the header <c>OKBLOG01</c>, then records
/// <c>u32 length, u64 sequence, u8 operation, atoms, u32 CRC-32</c> (the checksum covers everything
/// before it in the record), little-endian.
/// </summary>
internal static class LogSegmentFormat
{
    public const int HeaderBytes = 8;
    private const int RecordHead = 4 + 8 + 1;
    private const int RecordTail = 4;

    public static ReadOnlySpan<byte> Header => "OKBLOG01"u8;

    public static int RecordBytes(int atoms) => RecordHead + atoms + RecordTail;

    /// <summary>Writes <paramref name="record"/> into <paramref name="destination"/>, exactly <see cref="RecordBytes"/> long.</summary>
    public static void Write(LogRecord record, Span<byte> destination)
    {
        var atoms = record.Atoms.Span;
        BinaryPrimitives.WriteInt32LittleEndian(destination, atoms.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], record.Sequence);
        destination[12] = (byte)record.Operation;
        atoms.CopyTo(destination[RecordHead..]);
        var covered = RecordHead + atoms.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[covered..], Crc32.HashToUInt32(destination[..covered]));
    }

    /// <summary>
    /// Reads a segment's records in order. In the last segment of a log, a tail that is incomplete
    /// (a record whose length runs past the end of the file), fails its checksum at the very end, or
    /// is all zeros is a write the crash cut short (never acknowledged): reading stops there and
    /// returns where the good data ends. Anywhere else, damage is a
    /// <see cref="StoreCorruptedException"/> naming the file and offset.
    /// </summary>
    public static long Read(string path, bool last, Action<LogRecord> record)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, HeaderBytes).SequenceEqual(Header))
        {
            // A segment is created with its header flushed before any record: a last segment with a
            // partial or zeroed header was cut short as it was made, and holds nothing.
            if (last && (IsCutShort(bytes, 0) || Header.StartsWith(bytes)))
            {
                return 0;
            }

            throw new StoreCorruptedException($"{path}: not a log segment (no OKBLOG01 header at offset 0)");
        }

        long offset = HeaderBytes;
        while (offset < bytes.Length)
        {
            var rest = bytes.AsSpan((int)offset);
            if (rest.Length < RecordHead + RecordTail)
            {
                return last ? offset : throw new StoreCorruptedException($"{path}: {rest.Length} stray bytes at offset {offset:N0}, too few for a record");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(rest);
            if (length < 0)
            {
                throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} has a negative length");
            }

            if (length > rest.Length - RecordHead - RecordTail)
            {
                // Its length runs past the end of the file: the write of the last record was cut short.
                return last ? offset : throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} runs past the end of the segment");
            }

            var covered = RecordHead + length;
            if (Crc32.HashToUInt32(rest[..covered]) != BinaryPrimitives.ReadUInt32LittleEndian(rest[covered..]))
            {
                var end = offset + covered + RecordTail;
                return last && (end == bytes.Length || IsCutShort(bytes, offset))
                    ? offset
                    : throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} fails its checksum");
            }

            var operation = (LogOperation)rest[12];
            if (!Enum.IsDefined(operation))
            {
                throw new StoreCorruptedException($"{path}: the record at offset {offset:N0} has an unknown operation {rest[12]}");
            }

            record(new LogRecord(BinaryPrimitives.ReadInt64LittleEndian(rest[4..]), operation, bytes.AsMemory((int)offset + RecordHead, length)));
            offset += covered + RecordTail;
        }

        return offset;
    }

    /// <summary>True if everything from <paramref name="offset"/> on is zeros: space the file system allocated for a write that never landed.</summary>
    private static bool IsCutShort(byte[] bytes, long offset) => !bytes.AsSpan((int)offset).ContainsAnyExcept((byte)0);
}
