using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Storage;

namespace OrleansKb.Spaces;

/// <summary>
/// One pattern of a match being solved under the bindings found so far: the trie walk for the
/// pattern with those bindings applied, and how each key it reaches becomes a solution. A pattern
/// whose first argument is unknown but a later one is known is walked in the argument index,
/// permuted as the index permutes its atoms (<see cref="ArgumentIndex"/>): the same solutions.
/// </summary>
internal sealed class MatchLevel(ByteTrie trie, ByteTrie arguments)
{
    // Made on first use: a point query needs one of the two.
    private PatternWalk? _spaceWalk;
    private PatternWalk? _indexWalk;
    private Atom _pattern = Atom.Expression();
    private string[] _variables = [];
    private Substitution _bindings = Substitution.Empty;

    public PatternWalk Walk { get; private set; } = null!;

    /// <summary>Starts walking for <paramref name="pattern"/> with <paramref name="bindings"/> applied.</summary>
    public void Start(Atom pattern, Substitution bindings)
    {
        _pattern = bindings.Apply(pattern);
        var position = ArgumentIndex.PositionFor(_pattern);
        if (position > 0)
        {
            _pattern = ArgumentIndex.Permuted((ExpressionAtom)_pattern, position);
        }

        Walk = position > 0 ? _indexWalk ??= new(arguments) : _spaceWalk ??= new(trie);
        _bindings = bindings;
        _variables = [.. Conjunct.VariablesOf(_pattern)];
        Walk.Start(AtomEncoder.Encode(_pattern));
    }

    /// <summary>
    /// The bindings extended by the key the walk gave last, or null if it does not unify. A ground key
    /// is bound directly from the items the pattern's variables skipped (a repeated variable must have
    /// skipped equal bytes); any other is decoded with its variables renamed apart, and unified.
    /// </summary>
    public Substitution? Solve(ref int renamed)
    {
        var key = Walk.Key;
        if (!Walk.KeyIsGround)
        {
            return _bindings.Unify(_pattern, AtomDecoder.DecodeApart(key, renamed++));
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
            // Patterns have a handful of variables: look back for an earlier occurrence.
            var first = Array.IndexOf(_variables, _variables[i]);
            if (first < i)
            {
                if (!key[items[first]].SequenceEqual(key[items[i]]))
                {
                    return null;
                }

                continue;
            }

            bindings = bindings.Bind(_variables[i], AtomDecoder.Decode(key[items[i]]));
        }

        return bindings;
    }
}
