namespace OrleansKb.Atoms;

/// <summary>
/// Walks expressions in prefix order without recursion: a stack of (expression, next child index).
/// </summary>
internal struct ExpressionCursorStack
{
    private (ExpressionAtom Expression, int Next)[]? _frames;
    private int _depth;

    public void Push(ExpressionAtom expression)
    {
        _frames ??= new (ExpressionAtom, int)[8];
        if (_depth == _frames.Length)
        {
            Array.Resize(ref _frames, _depth * 2);
        }

        _frames[_depth++] = (expression, 0);
    }

    /// <summary>The next child in prefix order, popping finished expressions (and saying how many closed before it); false when all are done.</summary>
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
