using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// Rules by (head symbol, arity), plus the wildcard rules, each list in insertion order. The
/// environment adds a rule only when its atom is new to the space, so a duplicate is indexed once.
/// </summary>
internal sealed class RuleIndex
{
    private readonly Dictionary<(string Head, int Arity), List<Entry>> _headed = [];
    private readonly Dictionary<int, List<Entry>> _wildcardsByArity = [];
    private readonly List<Entry> _wildcardsOfAnyArity = [];
    private long _sequence;

    /// <summary>The number of indexed rules.</summary>
    public int Count { get; private set; }

    public void Add(RuleShape shape, byte[] key)
    {
        var list = ListFor(shape, create: true);
        if (list is null)
        {
            return;
        }

        list.Add(new Entry(_sequence++, key));
        Count++;
    }

    public void Remove(RuleShape shape, ReadOnlySpan<byte> key)
    {
        var list = ListFor(shape, create: false);
        if (list is null)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Key.AsSpan().SequenceEqual(key))
            {
                list.RemoveAt(i);
                Count--;
                return;
            }
        }
    }

    public void Clear()
    {
        _headed.Clear();
        _wildcardsByArity.Clear();
        _wildcardsOfAnyArity.Clear();
        Count = 0;
    }

    /// <summary>
    /// Appends to <paramref name="output"/> the rules for (head, arity) — those indexed under it, then
    /// the wildcard rules that fit the arity, each group in insertion order — from position
    /// <paramref name="from"/> on, until the output holds <paramref name="maxBytes"/> (at least one
    /// rule). Positions are stable while rules come and go: a headed rule's is its sequence number, a
    /// wildcard rule's <see cref="WildcardPositions"/> plus its sequence number. Returns where the next
    /// page starts, or -1 after the last rule.
    /// </summary>
    public long Matching(string head, int arity, long from, int maxBytes, EncodedAtomWriter output)
    {
        var page = new Page(output, maxBytes);
        if (from < WildcardPositions && _headed.TryGetValue((head, arity), out var headed))
        {
            for (var i = FirstAtOrAfter(headed, from); i < headed.Count; i++)
            {
                if (!page.TryAdd(headed[i].Key))
                {
                    return headed[i].Sequence;
                }
            }
        }

        // The two wildcard lists, merged by insertion sequence.
        var after = Math.Max(0, from - WildcardPositions);
        IReadOnlyList<Entry> ofArity = _wildcardsByArity.TryGetValue(arity, out var list) ? list : [];
        int a = FirstAtOrAfter(ofArity, after), b = FirstAtOrAfter(_wildcardsOfAnyArity, after);
        while (a < ofArity.Count || b < _wildcardsOfAnyArity.Count)
        {
            var takeArity = b == _wildcardsOfAnyArity.Count || (a < ofArity.Count && ofArity[a].Sequence < _wildcardsOfAnyArity[b].Sequence);
            var next = takeArity ? ofArity[a] : _wildcardsOfAnyArity[b];
            if (!page.TryAdd(next.Key))
            {
                return WildcardPositions + next.Sequence;
            }

            _ = takeArity ? a++ : b++;
        }

        return -1;
    }

    /// <summary>Every entry (insertion sequence, key), from every list, in no particular order.</summary>
    public (long Sequence, byte[] Key)[] Entries() =>
        [.. _headed.Values.Concat(_wildcardsByArity.Values).Append(_wildcardsOfAnyArity).SelectMany(list => list).Select(e => (e.Sequence, e.Key))];

    /// <summary>Where wildcard rules' positions start in a listing of the rules for (head, arity).</summary>
    public const long WildcardPositions = 1L << 62;

    private static int FirstAtOrAfter(IReadOnlyList<Entry> entries, long sequence)
    {
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (entries[mid].Sequence < sequence)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private List<Entry>? ListFor(RuleShape shape, bool create)
    {
        switch (shape.Kind)
        {
            case RuleKind.Headed:
                var key = (shape.Head!, shape.Arity);
                if (!_headed.TryGetValue(key, out var headed) && create)
                {
                    _headed[key] = headed = [];
                }

                return headed;
            case RuleKind.WildcardOfArity:
                if (!_wildcardsByArity.TryGetValue(shape.Arity, out var wildcards) && create)
                {
                    _wildcardsByArity[shape.Arity] = wildcards = [];
                }

                return wildcards;
            case RuleKind.WildcardOfAnyArity:
                return _wildcardsOfAnyArity;
            default:
                return null;
        }
    }

    private readonly record struct Entry(long Sequence, byte[] Key);

    /// <summary>A page being filled: rules are added until it holds its bytes, and always at least one.</summary>
    private struct Page(EncodedAtomWriter output, int maxBytes)
    {
        private bool _any;

        public bool TryAdd(byte[] rule)
        {
            if (_any && output.Length + rule.Length > maxBytes)
            {
                return false;
            }

            output.AppendAtom(rule);
            _any = true;
            return true;
        }
    }
}
