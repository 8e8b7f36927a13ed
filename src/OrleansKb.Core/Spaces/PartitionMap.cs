using System.Buffers.Binary;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// How a space's atoms are divided between its partitions (docs/cluster.md, "Partitioned spaces"):
/// contiguous ranges of encoded keys in key order, cut at <see cref="Splits"/>, each owned by the
/// partition numbered in <see cref="Ids"/>. Partition <c>i</c> (in key order) holds the keys at or
/// above split <c>i − 1</c> and below split <c>i</c>: the first has no lower bound, the last no upper.
/// The <see cref="Epoch"/> grows with every change of the map; a space that was never divided is
/// <see cref="Single"/>, epoch 0, one partition numbered 0 (the space as it always was).
/// </summary>
public sealed class PartitionMap
{
    // Format of ToBytes: a version byte, then the epoch, the count, the ids, and each split as a length
    // and its bytes; version 2 then the count of the retiring partitions, their ids, and NextId. A map
    // with no retiring partitions whose NextId follows its ids is written as version 1, as before.
    private const byte FormatVersion = 1;
    private const byte FormatVersionWithRetiring = 2;

    private readonly int[] _ids;
    private readonly byte[][] _splits;
    private readonly int[] _retiring;

    // Where the items of a pattern's constant prefix begin (a map is shared by threads: one list each).
    [ThreadStatic]
    private static List<int>? t_itemStarts;

    public PartitionMap(long epoch, IReadOnlyList<int> ids, IReadOnlyList<byte[]> splits, IReadOnlyList<int>? retiring = null, int nextId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(splits);
        if (ids.Count != splits.Count + 1)
        {
            throw new ArgumentException($"a map of {ids.Count} partitions has {ids.Count - 1} splits, not {splits.Count}", nameof(splits));
        }

        if (ids.Distinct().Count() != ids.Count || ids.Any(id => id < 0))
        {
            throw new ArgumentException("partition numbers are distinct and not negative", nameof(ids));
        }

        for (var i = 0; i < splits.Count; i++)
        {
            if (splits[i].Length == 0 || (i > 0 && splits[i - 1].AsSpan().SequenceCompareTo(splits[i]) >= 0))
            {
                throw new ArgumentException("splits are non-empty keys in strictly increasing order", nameof(splits));
            }
        }

        retiring ??= [];
        if (retiring.Distinct().Count() != retiring.Count || retiring.Any(id => id <= 0 || ids.Contains(id)))
        {
            throw new ArgumentException("retiring partitions are distinct, numbered above 0, and not in the map", nameof(retiring));
        }

        Epoch = epoch;
        _ids = [.. ids];
        _splits = [.. splits.Select(split => (byte[])split.Clone())];
        _retiring = [.. retiring];
        NextId = Math.Max(nextId, Math.Max(_ids.Max(), _retiring.Length == 0 ? 0 : _retiring.Max()) + 1);
    }

    /// <summary>A space that was never divided: one partition, numbered 0, epoch 0.</summary>
    public static PartitionMap Single { get; } = new(0, [0], []);

    /// <summary>Grows with every change of the map.</summary>
    public long Epoch { get; }

    /// <summary>
    /// Partitions that left the map and may still keep atoms in their stores, because they were not
    /// reached when the change that left them out was committed (their silo was down): partition 0,
    /// which keeps the map, asks them to retire until each has deleted its store
    /// (<see cref="DurableSpace.RetireLeftPartitionsAsync"/>). Not part of what clients route by.
    /// </summary>
    public IReadOnlyList<int> Retiring => _retiring;

    /// <summary>This map with <paramref name="retiring"/> as its <see cref="Retiring"/> partitions (those of them still in the map or numbered 0 left out).</summary>
    public PartitionMap WithRetiring(IEnumerable<int> retiring) =>
        new(Epoch, _ids, _splits, [.. retiring.Where(id => id > 0 && IndexOfPartition(id) < 0).Distinct().Order()], NextId);

    /// <summary>The number of partitions.</summary>
    public int Count => _ids.Length;

    /// <summary>The partitions' numbers, in key order.</summary>
    public IReadOnlyList<int> Ids => _ids;

    /// <summary>The keys that begin the second and later partitions.</summary>
    public IReadOnlyList<byte[]> Splits => _splits;

    /// <summary>Where the partition at <paramref name="index"/> (in key order) starts (empty: no lower bound).</summary>
    public ReadOnlySpan<byte> Low(int index) => index == 0 ? [] : _splits[index - 1];

    /// <summary>Where the partition at <paramref name="index"/> ends, exclusive (null: no upper bound).</summary>
    public byte[]? High(int index) => index == _splits.Length ? null : _splits[index];

    /// <summary>The index, in key order, of the partition whose range holds <paramref name="key"/>.</summary>
    public int IndexOf(ReadOnlySpan<byte> key)
    {
        // The number of splits at or below the key.
        var (low, high) = (0, _splits.Length);
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_splits[middle].AsSpan().SequenceCompareTo(key) <= 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The index, in key order, of the partition numbered <paramref name="partition"/>; −1 if the map has none.</summary>
    public int IndexOfPartition(int partition) => Array.IndexOf(_ids, partition);

    /// <summary>Whether the partition at <paramref name="index"/> holds <paramref name="key"/>.</summary>
    public bool Holds(int index, ReadOnlySpan<byte> key) => IndexOf(key) == index;

    /// <summary>
    /// The partitions (first and last index, in key order) whose ranges hold a key that begins with
    /// <paramref name="prefix"/>.
    /// </summary>
    public (int First, int Last) Overlapping(ReadOnlySpan<byte> prefix)
    {
        // The smallest key above every key that begins with the prefix: none when it is all 0xFF.
        var end = prefix.LastIndexOfAnyExcept((byte)0xFF);
        if (end < 0)
        {
            return (IndexOf(prefix), Count - 1);
        }

        Span<byte> successor = end < 256 ? stackalloc byte[end + 1] : new byte[end + 1];
        prefix[..(end + 1)].CopyTo(successor);
        successor[end]++;
        return Overlapping(prefix, successor);
    }

    /// <summary>
    /// The partitions, in key order, that can hold an atom <paramref name="pattern"/> (encoded) matches:
    /// those whose ranges overlap its constant prefix (its bytes before its first variable) and, since
    /// matching is two-way, those holding atoms with a variable where the pattern has a constant — a
    /// stored variable can begin at any item of that prefix.
    /// </summary>
    public IReadOnlyList<int> PartitionsFor(ReadOnlySpan<byte> pattern)
    {
        var asked = new List<int>();
        PartitionsFor(pattern, asked);
        return asked;
    }

    /// <summary>
    /// As <see cref="PartitionsFor(ReadOnlySpan{byte})"/>, into <paramref name="asked"/> (cleared
    /// first): a join routes every row this way. A partition is asked for a stored variable only if
    /// <paramref name="holdsVariables"/> (by index in key order) says it holds one; null: any may.
    /// </summary>
    public void PartitionsFor(ReadOnlySpan<byte> pattern, List<int> asked, IReadOnlyList<bool>? holdsVariables = null)
    {
        ArgumentNullException.ThrowIfNull(asked);
        asked.Clear();
        if (Count == 1)
        {
            asked.Add(0);
            return;
        }

        var itemStarts = t_itemStarts ??= [];
        itemStarts.Clear();
        var prefix = pattern[..EncodedItem.ConstantPrefix(pattern, itemStarts)];
        Add(Overlapping(prefix));
        if (itemStarts.Count > 0 && (holdsVariables is null || holdsVariables.Contains(true)))
        {
            Span<byte> low = prefix.Length < 256 ? stackalloc byte[prefix.Length + 1] : new byte[prefix.Length + 1];
            Span<byte> high = prefix.Length < 256 ? stackalloc byte[prefix.Length + 1] : new byte[prefix.Length + 1];
            foreach (var start in itemStarts)
            {
                // A stored variable begins with NewVar or a VarRef (0x80–0xC0) or a long VarRef (0x42).
                prefix[..start].CopyTo(low);
                prefix[..start].CopyTo(high);
                (low[start], high[start]) = (EncodingTags.VarRefBase, (byte)(EncodingTags.NewVar + 1));
                AddHolding(Overlapping(low[..(start + 1)], high[..(start + 1)]));
                (low[start], high[start]) = (EncodingTags.LongVarRef, (byte)(EncodingTags.LongVarRef + 1));
                AddHolding(Overlapping(low[..(start + 1)], high[..(start + 1)]));
            }

            asked.Sort();
            var kept = 1;
            for (var i = 1; i < asked.Count; i++)
            {
                if (asked[i] != asked[kept - 1])
                {
                    asked[kept++] = asked[i];
                }
            }

            asked.RemoveRange(kept, asked.Count - kept);
        }

        void Add((int First, int Last) range)
        {
            for (var i = range.First; i <= range.Last; i++)
            {
                asked.Add(i);
            }
        }

        void AddHolding((int First, int Last) range)
        {
            for (var i = range.First; i <= range.Last; i++)
            {
                if (holdsVariables is null || holdsVariables[i])
                {
                    asked.Add(i);
                }
            }
        }
    }

    /// <summary>
    /// Routes each encoded atom of <paramref name="atoms"/> to the writer of the partition that holds it
    /// (<paramref name="parts"/>, one per partition in key order), keeping their order within each.
    /// </summary>
    public void Route(ReadOnlySpan<byte> atoms, EncodedAtomWriter[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length != Count)
        {
            throw new ArgumentException($"{Count} partitions need {Count} writers, not {parts.Length}", nameof(parts));
        }

        foreach (var key in new EncodedItems(atoms))
        {
            parts[IndexOf(key)].AppendAtom(key);
        }
    }

    /// <summary>
    /// The number the next new partition of the space is given: above every number a partition of the
    /// space was ever given (in its maps, retiring, or new in a change given up), so never one a
    /// partition had before.
    /// </summary>
    public int NextId { get; }

    /// <summary>
    /// The map that follows this one when every partition is replaced by new ones, cut at
    /// <paramref name="splits"/> (<see cref="SplitsOf"/>): a repartition (docs/cluster.md).
    /// </summary>
    public PartitionMap Redivided(IReadOnlyList<byte[]> splits) =>
        new(Epoch + 1, [.. Enumerable.Range(NextId, splits.Count + 1)], splits, _retiring, NextId);

    /// <summary>
    /// The map that follows this one when the partition at <paramref name="index"/> is replaced by two
    /// new ones, the second starting at <paramref name="key"/> (strictly inside its range): a split.
    /// </summary>
    public PartitionMap SplitAt(int index, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IndexOf(key) != index || key.AsSpan().SequenceEqual(Low(index)))
        {
            throw new ArgumentException($"the key does not cut partition {_ids[index]}'s range in two", nameof(key));
        }

        var ids = _ids.ToList();
        ids[index] = NextId;
        ids.Insert(index + 1, NextId + 1);
        var splits = _splits.ToList();
        splits.Insert(index, key);
        return new PartitionMap(Epoch + 1, ids, splits, _retiring, NextId);
    }

    /// <summary>Whether partition <paramref name="partition"/> is in both maps with the same range.</summary>
    public bool SameRange(PartitionMap other, int partition)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (here, there) = (IndexOfPartition(partition), other.IndexOfPartition(partition));
        return here >= 0 && there >= 0 && Low(here).SequenceEqual(other.Low(there)) && Equals(High(here), other.High(there));

        static bool Equals(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
    }

    /// <summary>
    /// At most <paramref name="partitions"/> − 1 split keys that cut <paramref name="sample"/> (keys of
    /// the atoms to be stored, in any order) into parts of about equal size: its quantiles. Fewer when
    /// the sample has fewer distinct keys.
    /// </summary>
    public static byte[][] SplitsOf(IReadOnlyCollection<byte[]> sample, int partitions)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var sorted = sample.Where(key => key.Length > 0).ToArray();
        Array.Sort(sorted, (a, b) => a.AsSpan().SequenceCompareTo(b));
        var splits = new List<byte[]>(partitions - 1);
        for (var i = 1; i < partitions && sorted.Length > 0; i++)
        {
            var key = sorted[(int)((long)i * sorted.Length / partitions)];
            if (splits.Count == 0 || splits[^1].AsSpan().SequenceCompareTo(key) < 0)
            {
                splits.Add(key);
            }
        }

        return [.. splits];
    }

    /// <summary>The map as bytes, for a store (<see cref="FromBytes"/> reads it back).</summary>
    public byte[] ToBytes()
    {
        var more = _retiring.Length > 0 || NextId != _ids.Max() + 1;
        var length = 1 + 8 + 4 + (4 * _ids.Length) + _splits.Sum(split => 4 + split.Length) + (more ? 4 + (4 * _retiring.Length) + 4 : 0);
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        span[0] = more ? FormatVersionWithRetiring : FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], Epoch);
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], _ids.Length);
        var at = 13;
        foreach (var id in _ids)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], id);
            at += 4;
        }

        foreach (var split in _splits)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], split.Length);
            split.CopyTo(span[(at + 4)..]);
            at += 4 + split.Length;
        }

        if (more)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], _retiring.Length);
            at += 4;
            foreach (var id in _retiring)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[at..], id);
                at += 4;
            }

            BinaryPrimitives.WriteInt32LittleEndian(span[at..], NextId);
        }

        return bytes;
    }

    /// <summary>Reads a map written by <see cref="ToBytes"/>; damaged bytes are an <see cref="InvalidDataException"/>.</summary>
    public static PartitionMap FromBytes(ReadOnlySpan<byte> bytes)
    {
        try
        {
            if (bytes[0] is not (FormatVersion or FormatVersionWithRetiring))
            {
                throw new InvalidDataException($"a partition map of format {bytes[0]}, not {FormatVersion} or {FormatVersionWithRetiring}");
            }

            var epoch = BinaryPrimitives.ReadInt64LittleEndian(bytes[1..]);
            var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[9..]);
            if (count < 1 || count > (bytes.Length - 13) / 4)
            {
                throw new InvalidDataException($"a partition map of {count} partitions in {bytes.Length} bytes");
            }

            var ids = new int[count];
            var at = 13;
            for (var i = 0; i < count; i++, at += 4)
            {
                ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            }

            var splits = new byte[count - 1][];
            for (var i = 0; i < splits.Length; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
                splits[i] = bytes.Slice(at + 4, length).ToArray();
                at += 4 + length;
            }

            var (retiringCount, nextId) = (0, 0);
            if (bytes[0] == FormatVersionWithRetiring)
            {
                retiringCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
                at += 4;
                if (retiringCount < 0 || retiringCount > (bytes.Length - at) / 4)
                {
                    throw new InvalidDataException($"a partition map with {retiringCount} retiring partitions in {bytes.Length - at} bytes");
                }
            }

            var retiring = new int[retiringCount];
            for (var i = 0; i < retiring.Length; i++, at += 4)
            {
                retiring[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
            }

            if (bytes[0] == FormatVersionWithRetiring)
            {
                nextId = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
                at += 4;
            }

            if (at != bytes.Length)
            {
                throw new InvalidDataException($"a partition map of {at} bytes followed by {bytes.Length - at} more");
            }

            return new PartitionMap(epoch, ids, splits, retiring, nextId);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"a damaged partition map: {e.Message}", e);
        }
    }

    /// <summary>The partitions whose ranges overlap the keys from <paramref name="low"/> up to, not including, <paramref name="high"/>.</summary>
    private (int First, int Last) Overlapping(ReadOnlySpan<byte> low, ReadOnlySpan<byte> high)
    {
        var first = IndexOf(low);
        var last = IndexOf(high);
        if (last > first && _splits[last - 1].AsSpan().SequenceEqual(high))
        {
            last--; // the partition starting at the bound holds none of the keys below it
        }

        return (first, last);
    }
}
