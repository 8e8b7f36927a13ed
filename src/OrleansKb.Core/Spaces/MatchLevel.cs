using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// One pattern of a match being solved under the bindings found so far: the trie walk for the
/// pattern with those bindings applied, and how each key it reaches becomes a solution. A pattern
/// whose first argument is unknown but a later one is known is walked in the argument index,
/// permuted as the index permutes its atoms (<see cref="ArgumentIndex"/>): the same solutions.
/// <para>
/// A join starts a level once per row of the levels before it, always with the same pattern and the
/// same variables bound, so the level keeps a <see cref="LevelPlan"/>: which trie to walk and the
/// pattern's bytes with a hole for each bound variable. Starting is then copying the bound values'
/// encodings into the holes — no atoms built, encoded or decoded. Values bound by unification (which
/// may hold variables) take the general way: the pattern applied, permuted and encoded as an atom.
/// A level whose pattern is then ground — every variable bound, a filter like <c>(female $a)</c> — is
/// a lookup while no stored atom holds a variable (only the equal key can match it then).
/// </para>
/// </summary>
internal sealed class MatchLevel
{
    // Made on first use: a point query needs one of the two.
    private PatternWalk? _spaceWalk;
    private PatternWalk? _indexWalk;

    private Substitution _bindings = Substitution.Empty;
    private Atom _source = Atom.Expression();
    private int _position;

    // The walked pattern as an atom: made only when a key with stored variables must be unified with it.
    private Atom? _pattern;

    // The unbound variables the walk meets, in order, with repeats, and where each first occurs.
    private string[] _variables = [];
    private int[] _firstOccurrence = [];

    // The pattern's distinct variables (for the plan's bound mask) and constant prefix (whether the
    // argument index covers it), and the plan last made.
    private Atom? _variablesOf;
    private List<string> _distinct = [];
    private byte[] _constantPrefix = [];
    private LevelPlan? _plan;

    // A ground pattern looked up, not walked: whether it is there, whether that has been given, and
    // the buffer its bytes are filled into (a filter is looked up once per row).
    private bool _lookup;
    private bool _found;

    // The buffer a plan is filled into: a key looked up, or a pattern the walk copies.
    private byte[] _filled = new byte[64];

    public PatternWalk Walk { get; private set; } = null!;

    /// <summary>Walks on to the next candidate (<see cref="PatternWalk.Next"/>), or gives a looked-up pattern once if it is there.</summary>
    public WalkStep Next(ref int work)
    {
        if (!_lookup)
        {
            return Walk.Next(ref work);
        }

        work--;
        var step = _found ? WalkStep.Candidate : WalkStep.Done;
        _found = false;
        return step;
    }

    /// <summary>Starts walking for <paramref name="pattern"/> with <paramref name="bindings"/> applied, in the space <paramref name="view"/> shows.</summary>
    public void Start(Atom pattern, Substitution bindings, in MatchView view)
    {
        _source = pattern;
        _bindings = bindings;
        _pattern = null;
        _lookup = false;
        if (!ReferenceEquals(pattern, _variablesOf))
        {
            (_variablesOf, _distinct, _constantPrefix) = (pattern, [.. Conjunct.VariablesOf(pattern).Distinct()], Conjunct.ConstantPrefixOf(AtomEncoder.Encode(pattern)));
        }

        var index = view.IndexCovers(_constantPrefix);
        if (PlanFor(pattern, bindings, index) is { } plan)
        {
            (_position, _variables, _firstOccurrence) = (plan.Position, plan.Unbound, plan.FirstOccurrence);
            var length = plan.FillInto(bindings, ref _filled);
            if (plan.Unbound.Length == 0 && !view.HasStoredVariables)
            {
                (_lookup, _found) = (true, (plan.Position > 0 ? view.ArgumentTrie : view.Trie).Contains(_filled.AsSpan(0, length)));
                return;
            }

            Walk = Walker(plan.Position, view);
            Walk.Start(_filled.AsSpan(0, length), view.HasStoredVariables, plan.TailVariables);
            return;
        }

        var applied = bindings.Apply(pattern);
        _position = index ? ArgumentIndex.PositionFor(applied) : 0;
        _pattern = _position > 0 ? ArgumentIndex.Permuted((ExpressionAtom)applied, _position) : applied;
        _variables = [.. Conjunct.VariablesOf(_pattern)];
        _firstOccurrence = LevelPlan.FirstOccurrences(_variables);
        Walk = Walker(_position, view);
        Walk.Start(AtomEncoder.Encode(_pattern), view.HasStoredVariables);
    }

    /// <summary>
    /// The bindings extended by the key the walk gave last, or null if it does not unify. A ground key
    /// is bound directly from the items the pattern's variables skipped (a repeated variable must have
    /// skipped equal bytes), each value kept encoded; any other is decoded with its variables renamed
    /// apart, and unified.
    /// </summary>
    public Substitution? Solve(ref int renamed)
    {
        if (_lookup)
        {
            return _bindings;
        }

        var key = Walk.Key;

        // Values are bound as slices of the walk's key buffer, not copied: the bindings made here are
        // used only while this level stays on this key (the levels after it, the result made now).
        var keyMemory = Walk.KeyMemory;
        if (!Walk.KeyIsGround)
        {
            _pattern ??= _position > 0 ? ArgumentIndex.Permuted((ExpressionAtom)_bindings.Apply(_source), _position) : _bindings.Apply(_source);
            return _bindings.Unify(_pattern, AtomDecoder.DecodeApart(key, renamed++));
        }

        if (Walk.TailStart >= 0)
        {
            // Each variable is the next item after the constants, and none repeats.
            var extended = _bindings;
            for (int i = 0, start = Walk.TailStart; i < _variables.Length; i++)
            {
                var length = EncodedItem.Length(key[start..]);
                extended = extended.BindEncoded(_variables[i], keyMemory.Slice(start, length));
                start += length;
            }

            return extended;
        }

        Span<Range> items = _variables.Length <= 16 ? stackalloc Range[_variables.Length] : new Range[_variables.Length];
        var at = 0;
        var variable = 0;
        foreach (var item in Walk.Items)
        {
            if (item.Kind != PatternItemKind.Variable)
            {
                at += item.Length;
                continue;
            }

            var length = EncodedItem.Length(key[at..]);
            items[variable++] = new Range(at, at + length);
            at += length;
        }

        var bindings = _bindings;
        for (var i = 0; i < _variables.Length; i++)
        {
            var first = _firstOccurrence[i];
            if (first < i)
            {
                if (!key[items[first]].SequenceEqual(key[items[i]]))
                {
                    return null;
                }

                continue;
            }

            bindings = bindings.BindEncoded(_variables[i], keyMemory[items[i]]);
        }

        return bindings;
    }

    // The tries are the space's for its lifetime, so a walk made once serves every later step.
    private PatternWalk Walker(int position, in MatchView view) => position > 0 ? _indexWalk ??= new(view.ArgumentTrie) : _spaceWalk ??= new(view.Trie);

    /// <summary>The plan for <paramref name="pattern"/> under <paramref name="bindings"/>, or null if a bound value was bound by unification.</summary>
    private LevelPlan? PlanFor(Atom pattern, Substitution bindings, bool index)
    {
        if (LevelPlan.BoundMask(_distinct, bindings) is not { } bound)
        {
            return null;
        }

        if (bound == 0)
        {
            // Nothing bound: the pattern walks as it is, once (a first level, a single pattern).
            return null;
        }

        if (_plan is { } plan && ReferenceEquals(plan.Pattern, pattern) && plan.Bound == bound && plan.Index == index)
        {
            return plan;
        }

        return _plan = LevelPlan.Make(pattern, _distinct, bound, index);
    }
}
