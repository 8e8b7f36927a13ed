namespace OrleansKb.Atoms;

/// <summary>
/// Walks expressions in prefix order without recursion: a stack of (expression, next child index).
/// Callers on hot paths hand in a frame array they keep, so walking allocates nothing.
/// </summary>
internal struct ExpressionCursorStack((ExpressionAtom Expression, int Next)[]? frames)
{
    private (ExpressionAtom Expression, int Next)[]? _frames = frames;
    private int _depth;

    /// <summary>The frame array, possibly grown; hand it back in next time.</summary>
    public readonly (ExpressionAtom Expression, int Next)[]? Frames => _frames;

    public readonly int Depth => _depth;

    public void Push(ExpressionAtom expression)
    {
        _frames ??= new (ExpressionAtom, int)[8];
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }

        _frames[_depth++] = (expression, 0);
    }

    /// <summary>The next child in prefix order, popping finished expressions; false when all are done.</summary>
    public bool TryNextChild(out Atom child) => TryNextChild(out child, out _);

    /// <summary>As <see cref="TryNextChild(out Atom)"/>, also saying how many expressions closed before it.</summary>
    public bool TryNextChild(out Atom child, out int closed)
    {
        closed = 0;
        while (_depth > 0)
        {
            ref var top = ref _frames![_depth - 1];
            if (top.Next < top.Expression.Count)
            {
                child = top.Expression[top.Next++];
                return true;
            }

            _frames[--_depth] = default;
            closed++;
        }

        child = null!;
        return false;
    }
}
