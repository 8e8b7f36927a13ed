using System.Text;
using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>
/// A symbol. Its name is exactly the word the reader saw: non-empty, without whitespace, parentheses
/// or <c>;</c>, not starting with <c>"</c> or <c>$</c>, and not a number or boolean word — so every
/// symbol prints as text that reads back as the same symbol.
/// </summary>
public sealed class SymbolAtom : TokenAtom
{
    private string? _name;

    private SymbolAtom(string? name, byte[] utf8)
        : base(AtomKind.Symbol, utf8) => _name = name;

    /// <summary>The symbol's name (made from the UTF-8 on first use: most atoms are only ever encoded).</summary>
    public string Name => _name ??= Encoding.UTF8.GetString(CanonicalUtf8);

    internal static SymbolAtom Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var utf8 = Encoding.UTF8.GetBytes(name);
        if (!Utf8Text.IsValidScalarText(name) || !WordClassifier.IsSymbol(utf8))
        {
            throw new ArgumentException($"'{name}' cannot be a symbol: it would not read back as one.", nameof(name));
        }

        return new SymbolAtom(name, utf8);
    }

    /// <summary>For the reader and decoder, which have already classified the word.</summary>
    internal static SymbolAtom FromValidatedUtf8(ReadOnlySpan<byte> utf8) => new(null, utf8.ToArray());
}
