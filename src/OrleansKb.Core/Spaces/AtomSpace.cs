using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Storage;
using OrleansKb.Text;

namespace OrleansKb.Spaces;

/// <summary>
/// A space: a set of atoms (facts and rules) in a <see cref="ByteTrie"/> keyed by their encoding,
/// with a <see cref="RuleIndex"/> of the rules by (head, arity). Atoms are identified up to variable
/// names: adding an alpha-equivalent atom again changes nothing.
/// <para>
/// Thread-safe: one lock guards the trie and the indexes, and is held only to insert, remove or read;
/// encoding — most of a bulk add's work — happens before, outside it, on as many threads as
/// <see cref="BulkOptions.DegreeOfParallelism"/> allows. The lock stays inside: a parallel bulk add
/// hands its chunks to <see cref="InsertReady"/>, a recovery its pages and records to
/// <see cref="RecoverAtoms"/>, <see cref="RecoverRules"/> and <see cref="Replay"/>, and a match runs
/// its slices through <see cref="Step"/>, each taking the lock once per call.
/// </para>
/// </summary>
public sealed class AtomSpace
{
    private readonly Lock _lock = new();
    private readonly ByteTrie _trie = new();
    private readonly ArgumentIndex _arguments = new();
    private readonly RuleIndex _rules = new();
    private readonly PatternStatistics _statistics = new();

    // How many stored atoms hold a variable: while none do, a ground pattern is a lookup, not a walk.
    private long _atomsWithVariables;

    /// <summary>The number of atoms.</summary>
    public long Count
    {
        get
        {
            lock (_lock)
            {
                return _trie.Count;
            }
        }
    }

    /// <summary>The number of rules in the rule index.</summary>
    public int RuleCount
    {
        get
        {
            lock (_lock)
            {
                return _rules.Count;
            }
        }
    }

    /// <summary>The trie's memory.</summary>
    public TrieMemory Memory
    {
        get
        {
            lock (_lock)
            {
                return _trie.Memory;
            }
        }
    }

    /// <summary>The argument index's memory (docs/matching.md, "Lookups by a later argument").</summary>
    public TrieMemory IndexMemory
    {
        get
        {
            lock (_lock)
            {
                return _arguments.Memory;
            }
        }
    }

    /// <summary>Adds one atom; true if it was new. An atom of the form <c>(= lhs rhs)</c> is also indexed as a rule.</summary>
    public bool Add(Atom atom)
    {
        var key = AtomEncoder.Encode(atom);
        lock (_lock)
        {
            return InsertKey(key);
        }
    }

    /// <summary>Adds atoms on this thread: encodes up to <see cref="BulkOptions.BatchBytes"/> at a time, then inserts them in one locked pass. Returns how many were new.</summary>
    public int AddFacts(IEnumerable<Atom> atoms, BulkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        options ??= BulkOptions.CpuBound;
        options.Validate();
        var writer = WriterPool.Rent();
        try
        {
            var added = 0;
            foreach (var atom in atoms)
            {
                AtomEncoder.Append(atom, writer);
                if (writer.Length >= options.BatchBytes)
                {
                    added += Insert(writer, options.SortKeys);
                    writer.Clear();
                }
            }

            return added + Insert(writer, options.SortKeys);
        }
        finally
        {
            WriterPool.Return(writer);
        }
    }

    /// <summary>Adds rules on this thread, in order; every atom must be <c>(= lhs rhs)</c> (checked before any is added).</summary>
    public int AddRules(IReadOnlyList<Atom> rules, BulkOptions? options = null)
    {
        RequireRules(rules);
        return AddFacts(rules, options);
    }

    /// <summary>
    /// Adds atoms with the encoding spread over <see cref="BulkOptions.DegreeOfParallelism"/> threads
    /// and the insertion kept in input order; sequential below <see cref="BulkOptions.ParallelThreshold"/>.
    /// The result is the same as <see cref="AddFacts"/>.
    /// </summary>
    public int AddFactsParallel(IReadOnlyList<Atom> atoms, BulkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        options ??= BulkOptions.CpuBound;
        options.Validate();
        for (var i = 0; i < atoms.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(atoms[i], nameof(atoms));
        }

        if (atoms.Count < options.ParallelThreshold || options.DegreeOfParallelism == 1)
        {
            return AddFacts(atoms, options);
        }

        using var run = new ParallelBulkAdd(this, atoms, options);
        return run.Run();
    }

    /// <summary>As <see cref="AddFactsParallel"/>, for rules; every atom must be <c>(= lhs rhs)</c>.</summary>
    public int AddRulesParallel(IReadOnlyList<Atom> rules, BulkOptions? options = null)
    {
        RequireRules(rules);
        return AddFactsParallel(rules, options);
    }

    /// <summary>
    /// Adds a batch of encoded atoms (back to back, as <see cref="EncodedAtomWriter"/> writes them).
    /// The whole batch is validated first: if any of it is malformed, nothing is added and
    /// <see cref="MalformedEncodingException"/> says where.
    /// </summary>
    public int AddEncoded(ReadOnlySpan<byte> batch)
    {
        using var change = Validate(LogOperation.AddFacts, batch);
        return change.Apply();
    }

    /// <summary>
    /// Checks a change from outside whole — a malformed batch throws
    /// <see cref="MalformedEncodingException"/>, a non-rule among rules <see cref="ArgumentException"/> —
    /// without applying it: a durable space logs the validated atoms before it applies them
    /// (<see cref="ValidatedChange.Apply"/>).
    /// </summary>
    public ValidatedChange Validate(LogOperation operation, ReadOnlySpan<byte> batch)
    {
        if (operation == LogOperation.Clear)
        {
            return batch.IsEmpty ? new ValidatedChange(this, operation, null) : throw new ArgumentException("A clear carries no atoms.", nameof(batch));
        }

        var keys = ValidatedBatch.Of(batch);
        if (operation == LogOperation.AddRules)
        {
            for (var i = 0; i < keys.Writer.AtomCount; i++)
            {
                if (RuleShape.Of(keys.Writer.Atom(i)).Kind == RuleKind.NotARule)
                {
                    var rule = AtomDecoder.Decode(keys.Writer.Atom(i));
                    keys.Dispose();
                    throw new ArgumentException($"Atom {i} of the batch is not a rule (= lhs rhs): {rule}", nameof(batch));
                }
            }
        }

        return new ValidatedChange(this, operation, keys);
    }

    /// <summary>
    /// Starts recovering this (empty) environment from a store: snapshot atoms and rules, then log
    /// records (<see cref="ISpaceRecovery"/>). The data is the store's own and checksummed, so it is not
    /// validated again.
    /// </summary>
    public SpaceRecovery StartRecovery() => Count == 0 ? new SpaceRecovery(this) : throw new InvalidOperationException("only an empty environment can be recovered into");

    /// <summary>
    /// The rule index's entries (insertion sequence, key), for a snapshot: a copy of references taken
    /// at once (the keys are immutable), in no particular order; sort by sequence for insertion order.
    /// </summary>
    public (long Sequence, byte[] Key)[] RuleEntries()
    {
        lock (_lock)
        {
            return _rules.Entries();
        }
    }

    /// <summary>
    /// Applies a validated change; returns how many atoms it added or removed, and marks in
    /// <paramref name="changed"/> (one flag per atom of <paramref name="keys"/>) each atom that did.
    /// </summary>
    internal int Apply(LogOperation operation, EncodedAtomWriter? keys, Span<bool> changed)
    {
        switch (operation)
        {
            case LogOperation.AddFacts or LogOperation.AddRules:
                lock (_lock)
                {
                    return InsertLocked(keys!, changed);
                }

            case LogOperation.Remove:
                lock (_lock)
                {
                    var removed = 0;
                    for (var i = 0; i < keys!.AtomCount; i++)
                    {
                        changed[i] = RemoveKey(keys.Atom(i));
                        removed += changed[i] ? 1 : 0;
                    }

                    CompactIfWasteful();
                    return removed;
                }

            default:
                var cleared = (int)Math.Min(Count, int.MaxValue);
                Clear();
                return cleared;
        }
    }

    /// <summary>For each atom of a batch of encoded atoms (validated whole first), whether it is in the space.</summary>
    public bool[] ContainsEncoded(ReadOnlySpan<byte> batch)
    {
        using var keys = ValidatedBatch.Of(batch);
        var found = new bool[keys.Writer.AtomCount];
        lock (_lock)
        {
            for (var i = 0; i < found.Length; i++)
            {
                found[i] = _trie.Contains(keys.Writer.Atom(i));
            }
        }

        return found;
    }

    /// <summary>
    /// Appends to <paramref name="output"/> the atoms whose encodings come after <paramref name="after"/>
    /// (all, if it is empty), in key order, until the output holds <paramref name="maxBytes"/> bytes; at
    /// least one atom if any is left. A page of a paged export: pass the last atom of a page to get the next.
    /// </summary>
    public int ExportEncoded(ReadOnlySpan<byte> after, int maxBytes, EncodedAtomWriter output) => ExportEncoded(after, null, maxBytes, output);

    /// <summary>As <see cref="ExportEncoded(ReadOnlySpan{byte}, int, EncodedAtomWriter)"/>, only keys below <paramref name="before"/> (none: no bound), and 0 once there are none.</summary>
    public int ExportEncoded(ReadOnlySpan<byte> after, byte[]? before, int maxBytes, EncodedAtomWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_lock)
        {
            var count = 0;
            var keys = after.IsEmpty ? _trie.EnumerateKeys() : _trie.EnumerateKeysAfter(after);
            foreach (var key in keys)
            {
                if ((count > 0 && output.Length + key.Length > maxBytes) || (before is not null && key.SequenceCompareTo(before) >= 0))
                {
                    break;
                }

                output.AppendAtom(key);
                count++;
            }

            return count;
        }
    }

    /// <summary>
    /// Every <paramref name="every"/>-th key, in key order, from the first: an even sample of the
    /// space, each key found by its rank in one descent of the trie (<see cref="ByteTrie.KeyAt"/>), so
    /// sampling a space of millions of keys takes milliseconds, not a walk of every key.
    /// </summary>
    public List<byte[]> SampleKeys(long every)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        lock (_lock)
        {
            var sample = new List<byte[]>((int)Math.Min((_trie.Count / every) + 1, KeySample.DefaultCapacity * 4L));
            for (long rank = 0; rank < _trie.Count; rank += every)
            {
                sample.Add(_trie.KeyAt(rank));
            }

            return sample;
        }
    }

    /// <summary>As <see cref="MatchingRulesEncoded(string, int, long, int, EncodedAtomWriter)"/>, the head given by its bytes (as it travels: a name's text could lose bytes that are not UTF-8).</summary>
    public long MatchingRulesEncoded(ReadOnlySpan<byte> head, int arity, long from, int maxBytes, EncodedAtomWriter output) =>
        MatchingRulesEncoded(SymbolNames.ToText(head), arity, from, maxBytes, output);

    /// <summary>
    /// Appends to <paramref name="output"/> a page of the rules matching (head, arity), in
    /// <see cref="MatchingRules"/> order, from position <paramref name="from"/> (0 at first) until it
    /// holds <paramref name="maxBytes"/> (at least one rule); returns where the next page starts, or -1.
    /// </summary>
    public long MatchingRulesEncoded(string head, int arity, long from, int maxBytes, EncodedAtomWriter output)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(arity);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        lock (_lock)
        {
            return _rules.Matching(head, arity, from, maxBytes, output);
        }
    }

    /// <summary>Removes an atom (or one alpha-equivalent to it); true if it was present.</summary>
    public bool Remove(Atom atom)
    {
        var key = AtomEncoder.Encode(atom);
        lock (_lock)
        {
            var removed = RemoveKey(key);
            CompactIfWasteful();
            return removed;
        }
    }

    /// <summary>A summary of every atom's later arguments (<see cref="ArgumentSummary"/>), of 2^<paramref name="atLeastLog2Bits"/> bits or more.</summary>
    public ArgumentSummary SummarizeArguments(int atLeastLog2Bits)
    {
        lock (_lock)
        {
            var summary = new ArgumentSummary(Math.Max(atLeastLog2Bits, ArgumentSummary.Log2BitsFor(_trie.Count)));
            foreach (var key in _trie.EnumerateKeys())
            {
                summary.Add(key);
            }

            return summary;
        }
    }

    /// <summary>Whether some stored atom holds a variable: if none does, a ground pattern matches only itself.</summary>
    public bool HoldsVariables
    {
        get
        {
            lock (_lock)
            {
                return _atomsWithVariables > 0;
            }
        }
    }

    /// <summary>True if the atom, or one alpha-equivalent to it, is in the space.</summary>
    public bool Contains(Atom atom)
    {
        var key = AtomEncoder.Encode(atom);
        lock (_lock)
        {
            return _trie.Contains(key);
        }
    }

    /// <summary>Removes every atom and rule.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            ClearAtomsLocked();
            _rules.Clear();
        }
    }

    /// <summary>Every atom, in the order of their encodings (variables named <c>$x0</c>, <c>$x1</c>, …).</summary>
    public List<Atom> Export()
    {
        lock (_lock)
        {
            var atoms = new List<Atom>((int)Math.Min(_trie.Count, int.MaxValue));
            foreach (var key in _trie.EnumerateKeys())
            {
                atoms.Add(AtomDecoder.Decode(key));
            }

            return atoms;
        }
    }

    /// <summary>The rules matching (head, arity): indexed under it, then the wildcard rules of that arity or any, each group in insertion order.</summary>
    public List<Atom> MatchingRules(string head, int arity)
    {
        var rules = new EncodedAtomWriter(1024);
        MatchingRulesEncoded(head, arity, 0, int.MaxValue, rules);
        return AtomDecoder.DecodeAll(rules.WrittenSpan);
    }

    /// <summary>
    /// <c>match</c>: <paramref name="template"/> instantiated by each way a stored atom unifies with
    /// <paramref name="pattern"/> (two-way; a conjunction <c>(, p1 … pn)</c> is a join), at most
    /// <paramref name="limit"/> results. A multiset: one result per solution. Runs to the end in one
    /// go; <see cref="OpenMatch"/> runs a match a page at a time.
    /// </summary>
    public List<Atom> Match(Atom pattern, Atom template, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(template);
        var results = new List<Atom>();
        var cursor = OpenMatch(pattern, template, limit);
        while (!cursor.Finished)
        {
            cursor.Next(result =>
            {
                results.Add(result);
                return true;
            }, TimeSpan.MaxValue);
        }

        return results;
    }

    /// <summary>The number of solutions of <paramref name="pattern"/>, counting at most <paramref name="limit"/>; nothing is instantiated.</summary>
    public long MatchCount(Atom pattern, long limit = long.MaxValue)
    {
        var cursor = OpenMatch(pattern, template: null, limit);
        while (!cursor.Finished)
        {
            cursor.Next(null, TimeSpan.MaxValue);
        }

        return cursor.Solutions;
    }

    /// <summary>
    /// Starts a match that runs a slice at a time (<see cref="MatchCursor.Next"/>), taking this
    /// environment's lock only while a slice runs; other operations go on between slices. Without a
    /// <paramref name="template"/> it only counts. <paramref name="budget"/> bounds its solutions and its work.
    /// </summary>
    public MatchCursor OpenMatch(Atom pattern, Atom? template, long limit = long.MaxValue, MatchBudget? budget = null) =>
        new(this, pattern, template, limit, budget ?? MatchBudget.Unlimited);

    /// <summary>The contents in canonical text, one atom per line in key order: equal for any two environments holding the same atoms.</summary>
    public string Dump()
    {
        var text = new StringBuilder();
        foreach (var atom in Export())
        {
            text.Append(atom).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// Inserts a batch under the lock (sorting it first, outside the lock, if asked); returns how many
    /// atoms were new. Internal for the insertion phase of <c>bench environment</c>.
    /// </summary>
    internal int Insert(EncodedAtomWriter batch, bool sort)
    {
        if (sort)
        {
            batch.SortAtoms();
        }

        lock (_lock)
        {
            return InsertLocked(batch);
        }
    }

    /// <summary>
    /// A parallel bulk add's turn (<see cref="ParallelBulkAdd"/>): inserts the chunks
    /// <paramref name="chunks"/> has ready, in order, under one hold of the lock. Unless
    /// <paramref name="wait"/>, a taken lock returns false at once and the holder, or a later turn,
    /// inserts them: an encoding thread never waits.
    /// </summary>
    internal bool InsertReady(IReadyChunks chunks, bool wait)
    {
        if (wait)
        {
            _lock.Enter();
        }
        else if (!_lock.TryEnter())
        {
            return false;
        }

        try
        {
            while (chunks.Next() is { } chunk)
            {
                chunks.Inserted(InsertLocked(chunk));
            }

            return true;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Inserts a batch; the caller holds the lock. A sorted batch goes into the trie in byte order
    /// (consecutive keys then share most of their path), and its new rules are then indexed in input order.
    /// </summary>
    private int InsertLocked(EncodedAtomWriter batch) => InsertLocked(batch, batch.IsSorted ? new bool[batch.AtomCount] : default);

    /// <summary>
    /// As <see cref="InsertLocked(EncodedAtomWriter)"/>, marking in <paramref name="isNew"/> (one flag
    /// per atom, all false; may be empty for an unsorted batch) each atom that was new.
    /// </summary>
    private int InsertLocked(EncodedAtomWriter batch, Span<bool> isNew)
    {
        _arguments.BeforeBatch(batch, _trie);
        var added = 0;
        if (!batch.IsSorted)
        {
            for (var i = 0; i < batch.AtomCount; i++)
            {
                if (InsertKey(batch.Atom(i)))
                {
                    added++;
                    if (!isNew.IsEmpty)
                    {
                        isNew[i] = true;
                    }
                }
            }

            return added;
        }

        foreach (var i in batch.SortedOrder)
        {
            if (AddAtomLocked(batch.Atom(i)))
            {
                isNew[i] = true;
                added++;
            }
        }

        for (var i = 0; i < isNew.Length; i++)
        {
            if (isNew[i])
            {
                IndexIfRule(batch.Atom(i));
            }
        }

        return added;
    }

    /// <summary>Whether the argument index has caught up with the atoms (docs/matching.md, "Lookups by a later argument").</summary>
    public bool IndexIsComplete
    {
        get
        {
            lock (_lock)
            {
                return _arguments.IsComplete;
            }
        }
    }

    /// <summary>
    /// Brings the argument index up to date for about <paramref name="budget"/> (taking the lock for a
    /// few milliseconds at a time); true once it is complete. A space that has just been loaded or
    /// recovered answers lookups by a later argument by walking until its index has caught up
    /// (docs/matching.md); a host calls this between other work to get it there. A match passes the
    /// constant prefixes of the patterns it would walk the index for (<paramref name="needed"/>): it
    /// stops, true, as soon as the index covers them.
    /// </summary>
    public bool CatchUpIndex(TimeSpan budget, IReadOnlyList<byte[]>? needed = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            lock (_lock)
            {
                if ((needed is not null && View().IndexCoversAll(needed)) || _arguments.CatchUp(_trie))
                {
                    return true;
                }
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) >= budget)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The statistics a join of <paramref name="conjunction"/> <c>(, p1 … pn)</c> is ordered by, each
    /// pattern measured alone in this space (in written order); null if measuring takes more than
    /// <paramref name="most"/>. A divided space's coordinator sums the partitions' (<see cref="PartitionedJoin"/>).
    /// </summary>
    public PatternCounts[]? MeasurePatterns(Atom conjunction, TimeSpan most)
    {
        if (!Conjunct.IsConjunction(conjunction))
        {
            throw new ArgumentException("a conjunction is (, p1 … pn)", nameof(conjunction));
        }

        return JoinPlanner.Measure(this, conjunction, most);
    }

    /// <summary>
    /// Runs one step of a match (<see cref="MatchCursor"/>) under the lock, which is held for the
    /// step only: <paramref name="step"/> reads the space through a <see cref="MatchView"/> that
    /// cannot outlive the call. A step bounds its own work (a time slice); between steps the space changes.
    /// </summary>
    internal TResult Step<TState, TResult>(TState state, Func<MatchView, TState, TResult> step)
    {
        lock (_lock)
        {
            return step(View(), state);
        }
    }

    // Under the lock only.
    private MatchView View() => new(_trie, _arguments, _statistics, _atomsWithVariables > 0);

    /// <summary>Recovery (<see cref="SpaceRecovery"/>): adds a snapshot's page of atoms to the trie and the argument index (its rules come apart, <see cref="RecoverRules"/>); returns how many.</summary>
    internal int RecoverAtoms(ReadOnlySpan<byte> atoms)
    {
        lock (_lock)
        {
            var count = 0;
            foreach (var key in new EncodedItems(atoms))
            {
                AddAtomLocked(key);
                count++;
            }

            return count;
        }
    }

    /// <summary>Recovery: indexes a snapshot's page of rules, in insertion order, each unless <paramref name="indexed"/> holds it.</summary>
    internal void RecoverRules(ReadOnlySpan<byte> rules, HashSet<byte[]> indexed)
    {
        lock (_lock)
        {
            foreach (var rule in new EncodedItems(rules))
            {
                IndexRecovered(rule, indexed);
            }
        }
    }

    /// <summary>
    /// Recovery: replays a log record. The trie follows the record; the rule index follows its own
    /// membership, <paramref name="indexed"/> (<see cref="SpaceRecovery"/> says why): an add indexes a
    /// rule unless it is indexed, a remove unindexes it.
    /// </summary>
    internal void Replay(LogRecord record, HashSet<byte[]> indexed)
    {
        lock (_lock)
        {
            var atoms = record.Atoms.Span;
            switch (record.Operation)
            {
                case LogOperation.Clear:
                    ClearAtomsLocked();
                    _rules.Clear();
                    indexed.Clear();
                    break;
                case LogOperation.Remove:
                    foreach (var key in new EncodedItems(atoms))
                    {
                        RemoveAtomLocked(key);
                        var shape = RuleShape.Of(key);
                        if (shape.Kind >= RuleKind.Headed && indexed.Remove(key.ToArray()))
                        {
                            _rules.Remove(shape, key);
                        }
                    }

                    break;
                default:
                    foreach (var key in new EncodedItems(atoms))
                    {
                        AddAtomLocked(key);
                        IndexRecovered(key, indexed);
                    }

                    break;
            }
        }
    }

    /// <summary>Recovery's end: tidies the trie if the replay's removals left it wasteful.</summary>
    internal void FinishRecovery()
    {
        lock (_lock)
        {
            CompactIfWasteful();
        }
    }

    private void IndexRecovered(ReadOnlySpan<byte> key, HashSet<byte[]> indexed)
    {
        var shape = RuleShape.Of(key);
        if (shape.Kind < RuleKind.Headed)
        {
            return;
        }

        var copy = key.ToArray();
        if (indexed.Add(copy))
        {
            _rules.Add(shape, copy);
        }
    }

    /// <summary>Adds an atom to the trie and the argument index (not the rule index); the caller holds the lock. True if it was new.</summary>
    private bool AddAtomLocked(ReadOnlySpan<byte> key)
    {
        if (!_trie.Add(key))
        {
            return false;
        }

        var hasVariables = EncodedItem.ContainsVariable(key);
        _atomsWithVariables += hasVariables ? 1 : 0;
        _arguments.Add(key, hasVariables);
        return true;
    }

    /// <summary>Removes an atom from the trie and the argument index (not the rule index); the caller holds the lock. True if it was there.</summary>
    private bool RemoveAtomLocked(ReadOnlySpan<byte> key)
    {
        if (!_trie.Remove(key))
        {
            return false;
        }

        var hasVariables = EncodedItem.ContainsVariable(key);
        _atomsWithVariables -= hasVariables ? 1 : 0;
        _arguments.Remove(key, hasVariables);
        return true;
    }

    /// <summary>Empties the trie and the argument index; the caller holds the lock.</summary>
    private void ClearAtomsLocked()
    {
        _trie.Clear();
        _arguments.Clear();
        _statistics.Clear();
        _atomsWithVariables = 0;
    }

    private bool RemoveKey(ReadOnlySpan<byte> key)
    {
        if (!RemoveAtomLocked(key))
        {
            return false;
        }

        var shape = RuleShape.Of(key);
        if (shape.Kind >= RuleKind.Headed)
        {
            _rules.Remove(shape, key);
        }

        return true;
    }

    private bool InsertKey(ReadOnlySpan<byte> key)
    {
        if (!AddAtomLocked(key))
        {
            return false;
        }

        IndexIfRule(key);
        return true;
    }

    private void IndexIfRule(ReadOnlySpan<byte> key)
    {
        var shape = RuleShape.Of(key);
        if (shape.Kind >= RuleKind.Headed)
        {
            _rules.Add(shape, key.ToArray());
        }
    }

    /// <summary>Removals leave bytes behind in the trie's arenas (and the index's): rebuild once they are half of it.</summary>
    private void CompactIfWasteful()
    {
        _trie.CompactIfWasteful();
        _arguments.Trie.CompactIfWasteful();
    }

    private static void RequireRules(IReadOnlyList<Atom> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        foreach (var rule in rules)
        {
            if (rule is not ExpressionAtom { Count: 3 } expression || expression[0] is not SymbolAtom { Name: "=" })
            {
                throw new ArgumentException($"Not a rule (= lhs rhs): {rule}", nameof(rules));
            }
        }
    }
}
