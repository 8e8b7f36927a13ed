namespace OrleansKb.Spaces;

/// <summary>
/// Partition 0's view of what its partitions hold at their later arguments (docs/cluster.md, "Lookups
/// by a later argument"): each partition's <see cref="ArgumentSummary"/>, as the partition told it —
/// whole when its summary was made, then the bits each change set, told before the change is
/// acknowledged — and whether it holds atoms with variables. Kept in memory only: after partition 0
/// is activated, a partition is <em>unknown</em> until its summary is fetched from it, and an unknown
/// partition may hold anything. A partition is never left out wrongly: bits only ever arrive, and a
/// partition whose summary was sized anew is unknown until it is told (or fetched) whole.
/// </summary>
public sealed class ArgumentDirectory
{
    private readonly Dictionary<int, Entry> _entries = [];

    /// <summary>A partition told its summary whole (it was made or sized anew).</summary>
    public void Replace(int partition, ArgumentSummary summary, bool holdsVariables)
    {
        ArgumentNullException.ThrowIfNull(summary);
        _entries[partition] = new Entry { Summary = summary, HoldsVariables = holdsVariables };
    }

    /// <summary>A partition told the bits its last change set, in its summary of 2^<paramref name="log2Bits"/> bits.</summary>
    public void Merge(int partition, int log2Bits, bool holdsVariables, int[] fresh)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        if (!_entries.TryGetValue(partition, out var entry))
        {
            // Unknown: the summary fetched from it will hold these bits (it set them before telling).
            return;
        }

        entry.HoldsVariables |= holdsVariables;
        if (entry.Summary is null)
        {
            entry.Pending!.Add((log2Bits, fresh));
        }
        else if (entry.Summary.Log2Bits == log2Bits)
        {
            entry.Summary.SetBits(fresh);
        }
        else
        {
            _entries.Remove(partition);
        }
    }

    /// <summary>Whether <paramref name="partition"/>'s summary is to be fetched; if so, it is marked as being fetched.</summary>
    public bool BeginFetch(int partition)
    {
        if (_entries.ContainsKey(partition))
        {
            return false;
        }

        _entries[partition] = new Entry { Pending = [] };
        return true;
    }

    /// <summary>A fetch is over: <paramref name="summary"/> is the partition's (null if the fetch failed), with the bits told meanwhile.</summary>
    public void EndFetch(int partition, ArgumentSummary? summary, bool holdsVariables)
    {
        if (!_entries.TryGetValue(partition, out var entry) || entry.Summary is not null)
        {
            // Told whole meanwhile: what was fetched is older.
            return;
        }

        if (summary is null || entry.Pending!.Exists(told => told.Log2Bits != summary.Log2Bits))
        {
            _entries.Remove(partition);
            return;
        }

        foreach (var (_, fresh) in entry.Pending)
        {
            summary.SetBits(fresh);
        }

        (entry.Summary, entry.Pending) = (summary, null);
        entry.HoldsVariables |= holdsVariables;
    }

    /// <summary>
    /// Whether <paramref name="partition"/> may hold what a pattern with <paramref name="item"/>
    /// (<see cref="ArgumentSummary.ItemOf"/>) matches: true unless its summary is known, lacks the item,
    /// and it holds no atom with a variable.
    /// </summary>
    public bool MayHold(int partition, ulong item) =>
        !_entries.TryGetValue(partition, out var entry) || entry.Summary is null || entry.HoldsVariables || entry.Summary.MayHold(item);

    /// <summary>Forgets the partitions a new map no longer has.</summary>
    public void KeepOnly(IReadOnlyList<int> partitions)
    {
        foreach (var partition in _entries.Keys.Where(id => !partitions.Contains(id)).ToList())
        {
            _entries.Remove(partition);
        }
    }

    private sealed class Entry
    {
        public ArgumentSummary? Summary { get; set; }

        public bool HoldsVariables { get; set; }

        // While the summary is fetched: the bits told meanwhile.
        public List<(int Log2Bits, int[] Fresh)>? Pending { get; set; }
    }
}
