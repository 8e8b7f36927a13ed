using System.Text;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Spaces;

/// <summary>How the rule index files an atom (docs/storage.md, "The rule index").</summary>
internal enum RuleKind : byte
{
    /// <summary>Not of the form <c>(= lhs rhs)</c>.</summary>
    NotARule,

    /// <summary>A rule whose lhs has another shape (a symbol, a number, <c>()</c>, an expression at its head): stored, found by match, not indexed.</summary>
    Unindexed,

    /// <summary><c>(= (f a1 … an) rhs)</c> with a symbol <c>f</c>: indexed under (f, n).</summary>
    Headed,

    /// <summary><c>(= ($v a1 … an) rhs)</c>: a wildcard rule of arity n.</summary>
    WildcardOfArity,

    /// <summary><c>(= $v rhs)</c>: a wildcard rule of every arity.</summary>
    WildcardOfAnyArity,
}

/// <summary>Where an encoded atom goes in the rule index, read straight from its bytes.</summary>
internal readonly record struct RuleShape(RuleKind Kind, string? Head, int Arity)
{
    private static ReadOnlySpan<byte> RulePrefix => [0x03, EncodingTags.SymbolBase | 1, (byte)'='];

    public static RuleShape Of(ReadOnlySpan<byte> key)
    {
        if (!key.StartsWith(RulePrefix))
        {
            return default;
        }

        var pos = RulePrefix.Length;
        if (key[pos] == EncodingTags.NewVar)
        {
            return new RuleShape(RuleKind.WildcardOfAnyArity, null, 0);
        }

        var children = EncodedItem.ReadArity(key, ref pos);
        if (children < 1)
        {
            return new RuleShape(RuleKind.Unindexed, null, 0);
        }

        if (key[pos] == EncodingTags.NewVar)
        {
            return new RuleShape(RuleKind.WildcardOfArity, null, children - 1);
        }

        return EncodedItem.TryReadToken(key, ref pos, out var head) && WordClassifier.ClassifyToken(head) == WordKind.Symbol
            ? new RuleShape(RuleKind.Headed, SymbolNames.ToText(head), children - 1)
            : new RuleShape(RuleKind.Unindexed, null, 0);
    }
}
