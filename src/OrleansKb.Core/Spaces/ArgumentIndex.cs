using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Storage;

namespace OrleansKb.Spaces;

/// <summary>
/// The argument index (docs/matching.md, "Lookups by a later argument"): for every stored expression
/// with two or more arguments, <c>(h a1 a2 … an)</c>, and each argument position k ≥ 2, the permuted
/// atom <c>(k ak h a1 … a(k-1) a(k+1) … an)</c> as a key of a second trie. A pattern whose first
/// argument is unknown but whose k-th is known, <c>(parent $p "@I1972@")</c>, is walked in this trie
/// permuted the same way — a descent along <c>k</c> and the known argument instead of an enumeration
/// of every first argument. The permuted atom is an atom like any other: the same walk, the same
/// two-way matching (a stored variable at position k is found by any value), the same solutions.
/// <para>
/// Kept in step with the space's trie by every add and remove (under the space's lock) once it is
/// <see cref="IsComplete"/>. A new space, a cleared one and a recovering one start it empty and
/// behind: a bulk load or a recovery then costs the space's trie alone, and the index catches up
/// in bounded steps (<see cref="CatchUp"/>, run by the matches that would use it) in the trie's key
/// order. What it lacks is one range of the space's keys, the gap: an add outside it is indexed at
/// once, one inside is left to the catching up; a remove is forgotten at once wherever it falls. A
/// match walks the index for a pattern whose keys all lie outside the gap
/// (<see cref="CoversKeysStartingWith"/>), and the space's trie for the others: the same solutions,
/// slower.
/// </para>
/// <para>
/// A ground atom — a fact — is permuted byte for byte; one with variables is decoded, permuted and
/// encoded again, so that its variables are numbered in the permuted order.
/// </para>
/// </summary>
internal sealed class ArgumentIndex
{
    /// <summary>
    /// The widest expression indexed, head included: each argument after the first costs a copy of
    /// the atom, so an expression of a thousand children is walked, not copied a thousand times.
    /// </summary>
    public const int MaxArity = 16;

    /// <summary>The atoms one step of catching up indexes: a few milliseconds' work, done under the space's lock.</summary>
    public const int CatchUpStep = 4096;

    /// <summary>A batch smaller than this is indexed with its change: it is not a load.</summary>
    private const int FallBehindBatchAtoms = 1024;

    /// <summary>How many atoms a load into a small space may index with their change before the index falls behind.</summary>
    private const long FallBehindAtoms = 16_384;

    private readonly EncodedAtomWriter _decoded = new(256);
    private byte[] _permuted = new byte[256];
    private int _length;

    // The gap: the space's keys after _after and at most _upTo (no bound above while null) are not
    // indexed yet; _after is null once the index is complete, empty while nothing below is indexed.
    private byte[]? _after = [];
    private byte[]? _upTo;

    // Atoms indexed with their change since the index was last complete: what a load has paid inline.
    private long _indexedWithChanges;

    /// <summary>The trie of permuted keys.</summary>
    public ByteTrie Trie { get; } = new();

    public TrieMemory Memory => Trie.Memory;

    /// <summary>Whether every atom of the space is indexed: only then may a match walk the index.</summary>
    public bool IsComplete => _after is null;

    /// <summary>
    /// Whether every key of the space that begins with <paramref name="prefix"/> is indexed (outside
    /// the gap): a pattern whose stored matches all begin with it may walk the index.
    /// </summary>
    public bool CoversKeysStartingWith(ReadOnlySpan<byte> prefix) =>
        _after is null
        || prefix.SequenceCompareTo(_after.AsSpan(0, Math.Min(_after.Length, prefix.Length))) < 0
        || (_upTo is not null && prefix.SequenceCompareTo(_upTo) > 0);

    /// <summary>Indexes a key just added to the space (<paramref name="hasVariables"/>: whether it holds a variable).</summary>
    public void Add(ReadOnlySpan<byte> key, bool hasVariables)
    {
        if (!Covers(key))
        {
            return;
        }

        _indexedWithChanges++;
        for (var position = 2; Permute(key, position, hasVariables); position++)
        {
            Trie.Add(_permuted.AsSpan(0, _length));
        }
    }

    /// <summary>
    /// Called before <paramref name="batch"/> goes into <paramref name="space"/>:
    /// a load is not to pay for the index atom by atom (that costs more than the space's own trie), so
    /// once the atoms indexed with their change since the index was complete would pass an eighth of
    /// the space (and at least <see cref="FallBehindAtoms"/>), the index falls behind just below the
    /// batch's smallest key: the gap grows to take in the batch's keys, from just below its smallest
    /// to its largest, and is caught up later (<see cref="CatchUp"/>). At an end of
    /// <paramref name="space"/>'s keys (none before the batch's smallest, or none after its largest)
    /// the gap is left open at that end: the batches of a load in key order (a sorted file, a partition
    /// filled by a split) then land in the gap one after another instead of each being indexed with
    /// its change. A new space, whose empty index caught up at once, falls behind at its first large
    /// batch; atoms added a few at a time stay indexed as they come; a load or a transform into one
    /// relation leaves the others' keys indexed.
    /// </summary>
    public void BeforeBatch(EncodedAtomWriter batch, ByteTrie space)
    {
        ArgumentNullException.ThrowIfNull(space);
        var atoms = batch.AtomCount;
        if (atoms < FallBehindBatchAtoms || _indexedWithChanges + atoms < Math.Max(FallBehindAtoms, space.Count / 8))
        {
            return;
        }

        var smallest = batch.Atom(0);
        var largest = smallest;
        for (var i = 1; i < atoms; i++)
        {
            var key = batch.Atom(i);
            if (key.SequenceCompareTo(smallest) < 0)
            {
                smallest = key;
            }
            else if (key.SequenceCompareTo(largest) > 0)
            {
                largest = key;
            }
        }

        // The gap starts after a proper prefix of the smallest key, which sorts below it (the keys up
        // to there stay indexed), and ends at the largest — or is open where the space has no keys.
        var first = space.EnumerateKeys();
        var below = first.MoveNext() && first.Current.SequenceCompareTo(smallest) < 0 ? smallest[..^1].ToArray() : [];
        var upTo = space.EnumerateKeysAfter(largest).MoveNext() ? largest.ToArray() : null;
        if (_after is null)
        {
            (_after, _upTo) = (below, upTo);
        }
        else
        {
            if (below.AsSpan().SequenceCompareTo(_after) < 0)
            {
                _after = below;
            }

            if (_upTo is not null && (upTo is null || upTo.AsSpan().SequenceCompareTo(_upTo) > 0))
            {
                _upTo = upTo;
            }
        }

        _indexedWithChanges = 0;
    }

    /// <summary>
    /// Forgets a key just removed from the space (<paramref name="hasVariables"/>: whether it holds a
    /// variable) — in the gap too: a key indexed before the index fell behind is still in it,
    /// and the catching up only adds.
    /// </summary>
    public void Remove(ReadOnlySpan<byte> key, bool hasVariables)
    {
        for (var position = 2; Permute(key, position, hasVariables); position++)
        {
            Trie.Remove(_permuted.AsSpan(0, _length));
        }
    }

    /// <summary>Empties the index, behind again: what comes next is likely a load.</summary>
    public void Clear()
    {
        Trie.Clear();
        (_after, _upTo) = ([], null);
        _indexedWithChanges = 0;
    }

    /// <summary>
    /// Indexes the space's atoms in the gap, at most <paramref name="keys"/> of them (by default one
    /// step, <see cref="CatchUpStep"/>), in key order; true once the index is complete.
    /// </summary>
    public bool CatchUp(ByteTrie space, int keys = CatchUpStep)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (_after is null)
        {
            return true;
        }

        var enumerator = _after.Length == 0 ? space.EnumerateKeys() : space.EnumerateKeysAfter(_after);
        while (enumerator.MoveNext())
        {
            var key = enumerator.Current;
            if (_upTo is not null && key.SequenceCompareTo(_upTo) > 0)
            {
                break;
            }

            var hasVariables = EncodedItem.ContainsVariable(key);
            for (var position = 2; Permute(key, position, hasVariables); position++)
            {
                Trie.Add(_permuted.AsSpan(0, _length));
            }

            if (--keys == 0)
            {
                _after = key.ToArray();
                return false;
            }
        }

        (_after, _upTo) = (null, null);
        _indexedWithChanges = 0;
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is outside the gap: indexed already, or to be indexed with its change.</summary>
    private bool Covers(ReadOnlySpan<byte> key) =>
        _after is null || (_after.Length > 0 && key.SequenceCompareTo(_after) <= 0) || (_upTo is not null && key.SequenceCompareTo(_upTo) > 0);

    /// <summary>
    /// The argument position a walk of <paramref name="pattern"/> (bindings applied) should use: 0 for
    /// the space's own trie (its head and first argument lead the walk), or k ≥ 2 when the first argument
    /// is a variable and argument k is known — the first ground one, else the first that is not a variable.
    /// </summary>
    public static int PositionFor(Atom pattern)
    {
        if (pattern is not ExpressionAtom { Count: >= 3 and <= MaxArity } expression || expression[1] is not VariableAtom)
        {
            return 0;
        }

        var partial = 0;
        for (var k = 2; k < expression.Count; k++)
        {
            var argument = expression[k];
            if (argument is VariableAtom)
            {
                continue;
            }

            if (argument is not ExpressionAtom || Conjunct.VariablesOf(argument).Count == 0)
            {
                return k;
            }

            partial = partial == 0 ? k : partial;
        }

        return partial;
    }

    /// <summary>The atom the index holds for <paramref name="atom"/> at argument <paramref name="position"/> (≥ 2).</summary>
    public static ExpressionAtom Permuted(ExpressionAtom atom, int position)
    {
        ArgumentNullException.ThrowIfNull(atom);
        var children = new Atom[atom.Count + 1];
        children[0] = Atom.Integer(position);
        children[1] = atom[position];
        for (int from = 0, to = 2; from < atom.Count; from++)
        {
            if (from != position)
            {
                children[to++] = atom[from];
            }
        }

        return Atom.Expression(children);
    }

    /// <summary>Writes the permuted key of <paramref name="key"/> at <paramref name="position"/> into the buffer; false if the key has no such argument.</summary>
    private bool Permute(ReadOnlySpan<byte> key, int position, bool hasVariables)
    {
        var at = 0;
        var arity = EncodedItem.ReadArity(key, ref at);
        if (arity < 0 || position >= arity || arity > MaxArity)
        {
            return false;
        }

        if (hasVariables)
        {
            // Variables are numbered by first occurrence: a new order needs them numbered again.
            _decoded.Clear();
            AtomEncoder.Append(Permuted((ExpressionAtom)AtomDecoder.Decode(key), position), _decoded);
            _length = 0;
            Write(_decoded.WrittenSpan);
            return true;
        }

        Span<Range> children = stackalloc Range[MaxArity];
        for (var i = 0; i < arity; i++)
        {
            var length = EncodedItem.Length(key[at..]);
            children[i] = new Range(at, at + length);
            at += length;
        }

        // (k ak h a1 …): the header, the position as a token, then the children in their new order.
        Span<byte> header = stackalloc byte[4];
        header[0] = (byte)(arity + 1);
        var headerLength = 1;
        position.TryFormat(header[(headerLength + 1)..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
        header[headerLength] = (byte)(EncodingTags.SymbolBase + digits);
        headerLength += 1 + digits;

        _length = 0;
        Write(header[..headerLength]);
        Write(key[children[position]]);
        for (var i = 0; i < arity; i++)
        {
            if (i != position)
            {
                Write(key[children[i]]);
            }
        }

        return true;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _permuted.Length)
        {
            Array.Resize(ref _permuted, Math.Max(_permuted.Length * 2, _length + bytes.Length));
        }

        bytes.CopyTo(_permuted.AsSpan(_length));
        _length += bytes.Length;
    }
}
