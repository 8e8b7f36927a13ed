using OrleansKb.Codec;

namespace OrleansKb.Spaces;

internal enum PatternItemKind : byte
{
    /// <summary>An expression's arity header.</summary>
    Header,

    /// <summary>A symbol, number, boolean or string.</summary>
    Token,

    /// <summary>A variable (first or later occurrence).</summary>
    Variable,
}

/// <summary>One item of an encoded pattern in prefix order, with where its sub-term ends (the index of the item after it).</summary>
internal readonly record struct PatternItem(PatternItemKind Kind, int Offset, int Length, int SubtreeEnd)
{
    /// <summary>Splits <paramref name="pattern"/> into <paramref name="items"/> (cleared first); <paramref name="owed"/> is scratch, kept by the caller to be reused.</summary>
    public static void Split(ReadOnlySpan<byte> pattern, List<PatternItem> items, Stack<(int Item, long Children)> owed)
    {
        items.Clear();
        owed.Clear();
        for (var pos = 0; pos < pattern.Length;)
        {
            var start = pos;
            var arity = EncodedItem.ReadArity(pattern, ref pos);
            PatternItemKind kind;
            if (arity >= 0)
            {
                kind = PatternItemKind.Header;
            }
            else
            {
                var tag = pattern[pos];
                kind = tag is EncodingTags.LongSymbol or > EncodingTags.SymbolBase ? PatternItemKind.Token : PatternItemKind.Variable;
                pos += EncodedItem.Length(pattern[pos..]);
            }

            items.Add(new PatternItem(kind, start, pos - start, items.Count + 1));
            if (kind == PatternItemKind.Header && arity > 0)
            {
                owed.Push((items.Count - 1, arity));
                continue;
            }

            // This item is complete: close every expression it completes, recording where each ends.
            while (owed.TryPop(out var open))
            {
                if (--open.Children > 0)
                {
                    owed.Push(open);
                    break;
                }

                items[open.Item] = items[open.Item] with { SubtreeEnd = items.Count };
            }
        }
    }

    /// <summary>
    /// Where the variables start if <paramref name="pattern"/> (split into <paramref name="items"/>) is
    /// constants followed only by distinct variables — <c>(parent Tom $x)</c>: every key under those
    /// constants' bytes fits it, when no stored atom holds a variable. -1 otherwise, or if it has no variable.
    /// </summary>
    public static int TailStart(ReadOnlySpan<byte> pattern, List<PatternItem> items)
    {
        var first = items.FindIndex(item => item.Kind == PatternItemKind.Variable);
        if (first < 0)
        {
            return -1;
        }

        for (var i = first; i < items.Count; i++)
        {
            if (items[i].Kind != PatternItemKind.Variable || pattern[items[i].Offset] != EncodingTags.NewVar)
            {
                return -1;
            }
        }

        return items[first].Offset;
    }
}
