using System.IO.Hashing;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// What a partition of a divided space holds at its later arguments, in a few bits per value
/// (docs/cluster.md, "Lookups by a later argument"): for every ground expression <c>(h a1 a2 … an)</c>
/// it holds and each argument position k ≥ 2, the item (arity, k, h, ak) sets two bits of a bitset
/// chosen by its hash (a Bloom filter of two probes). A pattern <c>(parent $p "@I1972@")</c> has no
/// constant prefix past its head, so its range is every partition holding <c>parent</c> facts; the
/// partitions whose summaries lack its item (arity 3, position 2, <c>parent</c>, <c>"@I1972@"</c>)
/// cannot hold what it matches, unless they hold atoms with variables, and are not asked.
/// <para>
/// A summary only gains bits (a removed atom's bits stay: the partition is then asked for nothing):
/// it is sized anew from the partition's atoms when a quarter of its bits are set, so that at most
/// about 6 % of the items it lacks look held. The bits set since they were last taken
/// (<see cref="TakeFresh"/>) are what the partition tells the space's partition 0 (<see cref="ArgumentDirectory"/>).
/// </para>
/// </summary>
public sealed class ArgumentSummary
{
    /// <summary>The smallest summary: 8 KiB.</summary>
    public const int MinLog2Bits = 16;

    /// <summary>The largest: 256 MiB, for about 130 million values (past it, more partitions are asked).</summary>
    public const int MaxLog2Bits = 31;

    // A summary sized anew gives each value this many bits: about 1.4 % of absent items look held.
    private const int BitsPerItem = 16;

    private readonly ulong[] _words;
    private readonly ulong _mask;
    private long _setBits;

    // Null until the summary was first told whole (TakeFresh).
    private List<int>? _fresh;

    public ArgumentSummary(int log2Bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(log2Bits, MinLog2Bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log2Bits, MaxLog2Bits);
        Log2Bits = log2Bits;
        _words = new ulong[(1L << log2Bits) / 64];
        _mask = (1UL << log2Bits) - 1;
    }

    /// <summary>A summary of the bits another one holds, as it travelled.</summary>
    public ArgumentSummary(int log2Bits, ReadOnlySpan<ulong> words)
        : this(log2Bits)
    {
        if (words.Length != _words.Length)
        {
            throw new ArgumentException($"a summary of 2^{log2Bits} bits has {_words.Length} words, not {words.Length}", nameof(words));
        }

        words.CopyTo(_words);
        foreach (var word in _words)
        {
            _setBits += (long)ulong.PopCount(word);
        }
    }

    /// <summary>The bitset's size: 2^<see cref="Log2Bits"/> bits.</summary>
    public int Log2Bits { get; }

    /// <summary>The bits, 64 to a word.</summary>
    public ReadOnlySpan<ulong> Words => _words;

    /// <summary>Whether a quarter of the bits are set: the summary is to be sized anew from the partition's atoms.</summary>
    public bool IsCrowded => Log2Bits < MaxLog2Bits && _setBits > (1L << Log2Bits) / 4;

    /// <summary>
    /// The memory that sizing this summary anew may take at once should <paramref name="items"/> more
    /// items be added to a partition of <paramref name="atoms"/> atoms: the new bitset twice, once here and
    /// once in the copy partition 0 keeps (it is told whole); 0 while they leave it short of crowded.
    /// </summary>
    public long GrowthIfAdding(long items, long atoms) =>
        Log2Bits < MaxLog2Bits && _setBits + (2 * items) > (1L << Log2Bits) / 4
            ? 2 * ((1L << Math.Max(Log2Bits + 1, Log2BitsFor(atoms + items))) / 8)
            : 0;

    /// <summary>Whether there is something to tell: the summary was never told, or bits were set since it last was (<see cref="TakeFresh"/>).</summary>
    public bool HasFresh => _fresh is null || _fresh.Count > 0;

    /// <summary>The size, in bits (log 2), of a summary of <paramref name="values"/> values.</summary>
    public static int Log2BitsFor(long values) =>
        Math.Clamp(64 - (int)ulong.LeadingZeroCount((ulong)Math.Max(1, values * BitsPerItem) - 1), MinLog2Bits, MaxLog2Bits);

    /// <summary>Adds the items of an encoded atom; one with a variable adds none (a partition holding one is always asked).</summary>
    public void Add(ReadOnlySpan<byte> key)
    {
        if (!Children(key, out var arity, out var at) || EncodedItem.ContainsVariable(key))
        {
            return;
        }

        var headLength = EncodedItem.Length(key[at..]);
        var head = key.Slice(at, headLength);
        at += headLength;
        at += EncodedItem.Length(key[at..]);
        for (var position = 2; position < arity; position++)
        {
            var length = EncodedItem.Length(key[at..]);
            Set(Item(arity, position, head, key.Slice(at, length)));
            at += length;
        }
    }

    /// <summary>Adds the items of atoms encoded back to back.</summary>
    public void AddAll(ReadOnlySpan<byte> atoms)
    {
        for (var at = 0; at < atoms.Length;)
        {
            var length = EncodedItem.Length(atoms[at..]);
            Add(atoms.Slice(at, length));
            at += length;
        }
    }

    /// <summary>Sets the bits another summary of this size took fresh (<see cref="TakeFresh"/>).</summary>
    public void SetBits(ReadOnlySpan<int> bits)
    {
        foreach (var bit in bits)
        {
            SetBit((ulong)(uint)bit & _mask);
        }
    }

    /// <summary>Whether the partition may hold <paramref name="item"/> (<see cref="ItemOf"/>): false only if it holds no ground atom with it.</summary>
    public bool MayHold(ulong item) => IsSet(item & _mask) && IsSet((item >> 32) & _mask);

    /// <summary>
    /// The bits set since the last call; null at the first call (a new summary is told whole,
    /// <see cref="Words"/>), after which the bits it sets are kept to be told.
    /// </summary>
    public int[]? TakeFresh()
    {
        if (_fresh is null)
        {
            _fresh = [];
            return null;
        }

        var fresh = _fresh.ToArray();
        _fresh.Clear();
        return fresh;
    }

    /// <summary>The summary is to be told whole again (telling its fresh bits failed).</summary>
    public void Untold() => _fresh = null;

    /// <summary>
    /// The item a pattern (encoded) can be looked up by: its first ground argument after the first,
    /// with its ground head and arity — or false if it has none (a symbol, a variable head, no such argument).
    /// </summary>
    public static bool ItemOf(ReadOnlySpan<byte> pattern, out ulong item)
    {
        item = 0;
        if (!Children(pattern, out var arity, out var at))
        {
            return false;
        }

        var headLength = EncodedItem.Length(pattern[at..]);
        var head = pattern.Slice(at, headLength);
        if (EncodedItem.ContainsVariable(head))
        {
            return false;
        }

        at += headLength;
        at += EncodedItem.Length(pattern[at..]);
        for (var position = 2; position < arity; position++)
        {
            var length = EncodedItem.Length(pattern[at..]);
            var value = pattern.Slice(at, length);
            if (!EncodedItem.ContainsVariable(value))
            {
                item = Item(arity, position, head, value);
                return true;
            }

            at += length;
        }

        return false;
    }

    /// <summary>The hash of (arity, position, head, value): two 32-bit halves, one per probe.</summary>
    private static ulong Item(int arity, int position, ReadOnlySpan<byte> head, ReadOnlySpan<byte> value) =>
        XxHash3.HashToUInt64(value, (long)XxHash3.HashToUInt64(head, (arity * 256L) + position));

    /// <summary>An expression of three children or more (up to <see cref="ArgumentIndex.MaxArity"/>): its arity and where its first child starts.</summary>
    private static bool Children(ReadOnlySpan<byte> key, out int arity, out int at)
    {
        at = 0;
        arity = EncodedItem.ReadArity(key, ref at);
        return arity is >= 3 and <= ArgumentIndex.MaxArity;
    }

    private void Set(ulong item)
    {
        SetBit(item & _mask);
        SetBit((item >> 32) & _mask);
    }

    private void SetBit(ulong bit)
    {
        ref var word = ref _words[bit >> 6];
        var flag = 1UL << (int)(bit & 63);
        if ((word & flag) == 0)
        {
            word |= flag;
            _setBits++;
            _fresh?.Add((int)bit);
        }
    }

    private bool IsSet(ulong bit) => (_words[bit >> 6] & (1UL << (int)(bit & 63))) != 0;
}
