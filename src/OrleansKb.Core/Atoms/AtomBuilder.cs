using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>
/// Builds atom objects bottom-up from a prefix-order stream of events (the reader's and the
/// decoder's), with no recursion. Repeated symbols share one object through a small cache.
/// </summary>
internal sealed class AtomBuilder
{
    private const int SymbolCacheSize = 4096;
    private readonly List<Atom> _values = [];
    private readonly SymbolAtom?[] _symbolCache = new SymbolAtom?[SymbolCacheSize];
    private int[] _frames = new int[16];
    private int _depth;

    public void Reset()
    {
        _values.Clear();
        _depth = 0;
    }

    public void BeginExpression()
    {
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }

        _frames[_depth++] = _values.Count;
    }

    public void EndExpression()
    {
        var start = _frames[--_depth];
        var children = new Atom[_values.Count - start];
        _values.CopyTo(start, children, 0, children.Length);
        _values.RemoveRange(start, children.Length);
        _values.Add(new ExpressionAtom(children));
    }

    public void Add(Atom atom) => _values.Add(atom);

    public void AddSymbol(ReadOnlySpan<byte> utf8)
    {
        var slot = TokenAtom.TokenHash(utf8) & (SymbolCacheSize - 1);
        var cached = _symbolCache[slot];
        if (cached is null || !cached.CanonicalUtf8.SequenceEqual(utf8))
        {
            _symbolCache[slot] = cached = SymbolAtom.FromToken(utf8);
        }

        _values.Add(cached);
    }

    /// <summary>Adds the atom for a token already classified and validated.</summary>
    public void AddToken(ReadOnlySpan<byte> token, WordKind kind)
    {
        switch (kind)
        {
            case WordKind.Integer:
                Add(IntegerAtom.Of(CanonicalText.ParseCheckedInteger(token)));
                break;
            case WordKind.Double:
                Add(Atom.Double(CanonicalText.ParseCheckedDouble(token)));
                break;
            case WordKind.Boolean:
                Add(Atom.Boolean(token[0] == (byte)'T'));
                break;
            default:
                AddSymbol(token);
                break;
        }
    }

    /// <summary>The one complete atom built since <see cref="Reset"/>.</summary>
    public Atom Result => _depth == 0 && _values.Count == 1
        ? _values[0]
        : throw new InvalidOperationException("No complete atom has been built.");
}
