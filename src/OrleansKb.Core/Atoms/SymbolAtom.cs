using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>
/// A symbol. Its name is a string of bytes, as in MORK: usually a MeTTa word, but any bytes that are
/// not the canonical text of a string, number or boolean (docs/metta-text.md, "Symbols that are not
/// words"). A word prints as itself; any other name prints quoted, <c>#"…"</c>, and reads back the same.
/// </summary>
public sealed class SymbolAtom : TokenAtom
{
    private string? _name;
    private byte _bare;

    private SymbolAtom(string? name, byte[] bytes)
        : base(AtomKind.Symbol, bytes) => _name = name;

    /// <summary>
    /// The symbol's name (made from the bytes on first use: most atoms are only ever encoded). A byte
    /// that is not part of valid UTF-8 stands in it as the lone surrogate U+DC80–U+DCFF.
    /// </summary>
    public string Name => _name ??= SymbolNames.ToText(CanonicalUtf8);

    /// <summary>Whether the symbol prints as a bare word (else as <c>#"…"</c>).</summary>
    public bool IsWord
    {
        get
        {
            if (_bare == 0)
            {
                _bare = WordClassifier.IsBareSymbol(CanonicalUtf8) ? (byte)1 : (byte)2;
            }

            return _bare == 1;
        }
    }

    internal static SymbolAtom Create(string name)
    {
        var bytes = SymbolNames.ToBytes(name) ??
            throw new ArgumentException($"'{name}' cannot be a symbol's name: it holds a lone surrogate that stands for no byte, or escapes of bytes that are UTF-8 together (write the character).", nameof(name));
        return Create(bytes);
    }

    internal static SymbolAtom Create(ReadOnlySpan<byte> bytes)
    {
        if (WordClassifier.ClassifyToken(bytes) is var kind and not WordKind.Symbol)
        {
            throw new ArgumentException($"'{SymbolNames.ToText(bytes)}' cannot be a symbol's name: those bytes are {WordClassifier.Describe(kind, bytes)}.", nameof(bytes));
        }

        return new SymbolAtom(null, bytes.ToArray());
    }

    /// <summary>For the reader and decoder, which have already classified the token.</summary>
    internal static SymbolAtom FromToken(ReadOnlySpan<byte> bytes) => new(null, bytes.ToArray());
}
