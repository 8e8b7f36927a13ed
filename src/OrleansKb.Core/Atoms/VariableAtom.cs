using System.Text;
using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>A variable, printed as <c>$name</c>. Two variables are equal when their names are.</summary>
public sealed class VariableAtom : Atom
{
    private readonly byte[] _nameUtf8;

    private VariableAtom(string name, byte[] nameUtf8)
        : base(AtomKind.Variable, HashCode.Combine(AtomKind.Variable, TokenAtom.TokenHash(nameUtf8)))
    {
        Name = name;
        _nameUtf8 = nameUtf8;
    }

    /// <summary>The name, without the <c>$</c>.</summary>
    public string Name { get; }

    internal ReadOnlySpan<byte> NameUtf8 => _nameUtf8;

    internal static VariableAtom Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var utf8 = Encoding.UTF8.GetBytes(name);
        if (!Utf8Text.IsValidScalarText(name) || !WordClassifier.IsWord(utf8))
        {
            throw new ArgumentException(
                $"'{name}' cannot be a variable name: it must be non-empty, without whitespace, parentheses or ';'.",
                nameof(name));
        }

        return new VariableAtom(name, utf8);
    }

    internal static VariableAtom FromValidatedUtf8(ReadOnlySpan<byte> nameUtf8) =>
        new(Encoding.UTF8.GetString(nameUtf8), nameUtf8.ToArray());

    internal override bool LeafEquals(Atom other) => _nameUtf8.AsSpan().SequenceEqual(((VariableAtom)other)._nameUtf8);
}
