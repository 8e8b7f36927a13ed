using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>The exact bytes of the format (docs/encoding.md).</summary>
public sealed class EncodingTests
{
    private static byte[] Encode(string text) => AtomEncoder.Encode(Assert.Single(MettaReader.Parse(text)));

    private static byte[] Bytes(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            if (part is string s)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s));
            }
            else
            {
                bytes.Add(Convert.ToByte(part, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void A_fact_is_its_arity_then_its_tokens_in_prefix_order()
    {
        Assert.Equal(Bytes(0x03, 0xC6, "parent", 0xC3, "Tom", 0xC3, "Bob"), Encode("(parent Tom Bob)"));
        Assert.Equal(Bytes(0x02, 0xC1, "f", 0x00), Encode("(f ())"));
        Assert.Equal(Bytes(0xC3, "abc"), Encode("abc"));
    }

    [Fact]
    public void Numbers_booleans_and_strings_are_their_canonical_token_text()
    {
        Assert.Equal(Bytes(0x05, 0xC1, "+", 0xC1, "7", 0xC3, "1.5", 0xC4, "True", 0xC5, "\"a\\n\""), Encode("(+ +7 1.50 True \"a\n\")"));
        Assert.NotEqual(Encode("1"), Encode("1.0"));
        Assert.Equal(Encode("1.5"), Encode("1.50"));
        Assert.Equal(Encode("7"), Encode("007"));
    }

    [Fact]
    public void Variables_are_numbered_by_first_occurrence()
    {
        Assert.Equal(Bytes(0x04, 0xC1, "f", 0xC0, 0xC0, 0x80), Encode("(f $x $y $x)"));
        Assert.Equal(Encode("(f $x $y $x)"), Encode("(f $a $b $a)"));
        Assert.NotEqual(Encode("(f $x $y $x)"), Encode("(f $x $y $y)"));
        Assert.Equal(Bytes(0x02, 0xC0, 0x80), Encode("($h $h)"));
    }

    [Fact]
    public void Long_symbols_large_arities_and_many_variables_use_the_extension_tags()
    {
        var symbol64 = new string('s', 64);
        Assert.Equal(Bytes(0x41, 0x40, symbol64), Encode(symbol64));
        Assert.Equal(Bytes(0xFF, new string('s', 63)), Encode(new string('s', 63)));

        var big = new string('b', 70_000);
        Assert.Equal(Bytes(0x41, 0xF0, 0xA2, 0x04, big), Encode(big));

        var arity64 = Encode("(" + string.Join(' ', Enumerable.Repeat("a", 64)) + ")");
        Assert.Equal(Bytes(0x40, 0x40), arity64[..2]);
        Assert.Equal(2 + (64 * 2), arity64.Length);

        var vars = string.Join(' ', Enumerable.Range(0, 65).Select(i => $"$v{i}"));
        var encoded = Encode($"({vars} $v63 $v64)");
        Assert.Equal(Bytes(0x40, 0x43), encoded[..2]);
        Assert.Equal(Bytes(0xBF, 0x42, 0x40), encoded[^3..]);
    }

    [Fact]
    public void Atoms_from_objects_and_from_text_encode_alike()
    {
        var atom = Atom.Expression(Atom.Symbol("edge"), Atom.Variable("a"), Atom.Integer(-3), Atom.Double(0.25),
            Atom.String("q\"uote"), Atom.Boolean(false), Atom.Variable("a"));

        Assert.Equal(Encode(MettaPrinter.Print(atom)), AtomEncoder.Encode(atom));
    }

    [Fact]
    public void Alpha_equivalence_is_equality_of_encodings()
    {
        var left = Assert.Single(MettaReader.Parse("(= (add (S $x) $y) (S (add $x $y)))"));
        var right = Assert.Single(MettaReader.Parse("(= (add (S $a) $b) (S (add $a $b)))"));
        var swapped = Assert.Single(MettaReader.Parse("(= (add (S $a) $b) (S (add $b $a)))"));

        Assert.NotEqual(left, right);
        Assert.True(Atom.AlphaEquivalent(left, right));
        Assert.False(Atom.AlphaEquivalent(left, swapped));
    }

    [Fact]
    public void A_pattern_and_its_template_share_one_numbering_of_variables()
    {
        var pattern = Assert.Single(MettaReader.Parse("(parent $p $c)"));
        var template = Assert.Single(MettaReader.Parse("(child $c $p $new)"));

        var (first, second) = AtomEncoder.EncodeSharingVariables(pattern, template);

        // The pattern is a whole atom; the template refers to the pattern's variables by number.
        Assert.Equal(Encode("(parent $p $c)"), first);
        Assert.Equal(Bytes(0x04, 0xC5, "child", 0x81, 0x80, 0xC0), second);
        var (decodedPattern, decodedTemplate) = AtomDecoder.DecodeSharingVariables(first, second);
        Assert.Equal("(parent $x0 $x1)", MettaPrinter.Print(decodedPattern));
        Assert.Equal("(child $x1 $x0 $x2)", MettaPrinter.Print(decodedTemplate));
    }

    [Fact]
    public void A_pattern_and_template_whose_bytes_do_not_split_where_they_say_are_refused()
    {
        var (first, second) = AtomEncoder.EncodeSharingVariables(Atom.Symbol("a"), Assert.Single(MettaReader.Parse("(g b)")));

        // The same bytes cut one byte late: together they still make the two atoms, but the first is not whole.
        var joined = first.Concat(second).ToArray();
        Assert.Equal("a", MettaPrinter.Print(AtomDecoder.DecodeSharingVariables(first, second).First));
        Assert.Throws<MalformedEncodingException>(() => AtomDecoder.DecodeSharingVariables(joined.AsSpan(..(first.Length + 1)), joined.AsSpan((first.Length + 1)..)));
        Assert.Throws<MalformedEncodingException>(() => AtomDecoder.DecodeSharingVariables(first, [0x81]));
        Assert.Throws<OversizedAtomException>(() => AtomEncoder.EncodeSharingVariables(Atom.Symbol(new string('s', 100)), Atom.Symbol("t"), atomLimit: 64));
    }
}
