using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace OrleansKb.Persistence;

/// <summary>
/// A snapshot file (docs/durability.md): <c>OKBSNP01</c> and the sequence number it covers, then
/// chunks <c>u8 kind, u32 length, u32 count, payload, u32 CRC-32</c> — atoms in key order, rules in
/// insertion order — and an end chunk holding the totals.
/// </summary>
internal static class SnapshotFormat
{
    public const byte AtomsChunk = 1;
    public const byte RulesChunk = 2;
    public const byte EndChunk = 0xFF;
    public const int HeaderBytes = 16;
    private const int ChunkHead = 1 + 4 + 4;

    public static ReadOnlySpan<byte> Magic => "OKBSNP01"u8;

    public static byte[] Header(long sequence)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), sequence);
        return header;
    }

    /// <summary>A chunk's head (kind, length, count) and its checksum, to write around its payload.</summary>
    public static (byte[] Head, byte[] Tail) Frame(byte kind, ReadOnlySpan<byte> payload, int count)
    {
        var head = new byte[ChunkHead];
        head[0] = kind;
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(1), payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(5), count);
        var crc = new Crc32();
        crc.Append(head);
        crc.Append(payload);
        var tail = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, crc.GetCurrentHashAsUInt32());
        return (head, tail);
    }

    public static byte[] EndPayload(long atoms, long rules)
    {
        var payload = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(payload, atoms);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), rules);
        return payload;
    }

    /// <summary>Writes the snapshot of an empty space at <paramref name="sequence"/> (a clear) and flushes it to disk.</summary>
    public static void WriteEmpty(string path, long sequence)
    {
        using var file = OwnerOnly.Open(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        var end = EndPayload(0, 0);
        var (head, tail) = Frame(EndChunk, end, 0);
        file.Write(Header(sequence));
        file.Write(head);
        file.Write(end);
        file.Write(tail);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The sequence number in a snapshot file's header, read from its start.</summary>
    private static long ReadSequence(Stream file, string path)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        return file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) == HeaderBytes && header[..8].SequenceEqual(Magic)
            ? BinaryPrimitives.ReadInt64LittleEndian(header[8..])
            : throw new StoreCorruptedException($"{path}: not a snapshot (no OKBSNP01 header at offset 0)");
    }

    /// <summary>Reads a whole snapshot into <paramref name="into"/>, checking every chunk; returns its sequence number and atom count.</summary>
    public static (long Sequence, long Atoms) Read(string path, ISpaceRecovery into)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var sequence = ReadSequence(file, path);
        long atoms = 0, rules = 0;
        var head = new byte[ChunkHead];
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            while (true)
            {
                var offset = file.Position;
                if (file.ReadAtLeast(head, ChunkHead, throwOnEndOfStream: false) < ChunkHead)
                {
                    throw new StoreCorruptedException($"{path}: the snapshot ends at offset {offset:N0} without its end chunk");
                }

                var kind = head[0];
                var length = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(1));
                var count = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(5));
                if (kind is not (AtomsChunk or RulesChunk or EndChunk) || length < 0 || length > file.Length - file.Position - 4 || count < 0)
                {
                    throw new StoreCorruptedException($"{path}: a damaged chunk head at offset {offset:N0}");
                }

                if (buffer.Length < length + 4)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length + 4);
                }

                file.ReadExactly(buffer, 0, length + 4);
                var payload = buffer.AsSpan(0, length);
                var crc = new Crc32();
                crc.Append(head);
                crc.Append(payload);
                if (crc.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(length)))
                {
                    throw new StoreCorruptedException($"{path}: the chunk at offset {offset:N0} fails its checksum");
                }

                switch (kind)
                {
                    case AtomsChunk:
                        into.SnapshotAtoms(payload);
                        atoms += count;
                        break;
                    case RulesChunk:
                        into.SnapshotRules(payload);
                        rules += count;
                        break;
                    default:
                        if (length != 16 || BinaryPrimitives.ReadInt64LittleEndian(payload) != atoms || BinaryPrimitives.ReadInt64LittleEndian(payload[8..]) != rules)
                        {
                            throw new StoreCorruptedException($"{path}: the end chunk at offset {offset:N0} does not match the chunks before it");
                        }

                        if (file.Position != file.Length)
                        {
                            throw new StoreCorruptedException($"{path}: {file.Length - file.Position:N0} bytes follow the end chunk at offset {offset:N0}");
                        }

                        return (sequence, atoms);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
