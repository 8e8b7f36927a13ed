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

    /// <summary>The rules for (head, arity): those indexed under it, then the wildcard rules that fit the arity, each group in insertion order.</summary>
    public List<byte[]> Matching(string head, int arity)
    {
        var result = new List<byte[]>();
        if (_headed.TryGetValue((head, arity), out var headed))
        {
            result.AddRange(headed.Select(e => e.Key));
        }

        // Merge the two wildcard lists by insertion sequence.
        IReadOnlyList<Entry> ofArity = _wildcardsByArity.TryGetValue(arity, out var list) ? list : [];
        int i = 0, j = 0;
        while (i < ofArity.Count || j < _wildcardsOfAnyArity.Count)
        {
            var takeArity = j == _wildcardsOfAnyArity.Count ||
                            (i < ofArity.Count && ofArity[i].Sequence < _wildcardsOfAnyArity[j].Sequence);
            result.Add(takeArity ? ofArity[i++].Key : _wildcardsOfAnyArity[j++].Key);
        }

        return result;
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
}
