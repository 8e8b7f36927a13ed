using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Tests;

public sealed class AtomModelTests
{
    [Fact]
    public void Equality_and_hashing_are_structural()
    {
        var a = Atom.Expression(Atom.Symbol("f"), Atom.Expression(Atom.Integer(1), Atom.String("s")), Atom.Variable("x"));
        var b = Atom.Expression(Atom.Symbol("f"), Atom.Expression(Atom.Integer(1), Atom.String("s")), Atom.Variable("x"));
        var c = Atom.Expression(Atom.Symbol("f"), Atom.Expression(Atom.Integer(1), Atom.String("t")), Atom.Variable("x"));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a == b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(Atom.Variable("x"), Atom.Variable("y"));
    }

    [Fact]
    public void Kinds_never_compare_equal_across_types()
    {
        Atom[] atoms =
        [
            Atom.Symbol("1a"), Atom.String("1"), Atom.Integer(1), Atom.Double(1.0), Atom.Boolean(true), Atom.Symbol("x"),
            Atom.Variable("x"), Atom.String("True"), Atom.Expression(), Atom.Expression(Atom.Expression()),
        ];

        for (var i = 0; i < atoms.Length; i++)
        {
            for (var j = 0; j < atoms.Length; j++)
            {
                Assert.Equal(i == j, atoms[i].Equals(atoms[j]));
            }
        }
    }

    [Fact]
    public void Doubles_compare_by_their_canonical_value()
    {
        Assert.Equal(Atom.Double(1.5), Assert.Single(MettaReader.Parse("1.50")));
        Assert.NotEqual(Atom.Double(0.0), Atom.Double(-0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Atom.Double(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Atom.Double(double.PositiveInfinity));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("True")]
    [InlineData("\"q\"")]
    public void Names_that_are_the_text_of_a_number_boolean_or_string_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => Atom.Symbol(name));

    [Theory]
    [InlineData("", "#\"\"")]
    [InlineData("a b", "#\"a b\"")]
    [InlineData("a(", "#\"a(\"")]
    [InlineData("a;", "#\"a;\"")]
    [InlineData("\"q", "#\"\\\"q\"")]
    [InlineData("$x", "#\"$x\"")]
    [InlineData("007", "#\"007\"")]
    [InlineData("1.50", "#\"1.50\"")]
    [InlineData("#\"x\"", "#\"#\\\"x\\\"\"")]
    [InlineData("a\u3000b", "#\"a\u3000b\"")]
    [InlineData("tab\there\u0001", "#\"tab\\there\\x01\"")]
    [InlineData("#x", "#x")]
    [InlineData("é", "é")]
    public void A_symbol_that_is_not_a_word_prints_quoted_and_reads_back(string name, string printed)
    {
        var symbol = Atom.Symbol(name);
        Assert.Equal(name, symbol.Name);
        Assert.Equal(printed, MettaPrinter.Print(symbol));
        Assert.Equal(symbol, Assert.Single(MettaReader.Parse(printed)));
        Assert.Equal(symbol, AtomDecoder.Decode(AtomEncoder.Encode(symbol)));
    }

    [Fact]
    public void A_symbol_of_bytes_that_are_not_UTF8_keeps_them_and_names_them_with_lone_surrogates()
    {
        byte[] bytes = [(byte)'a', 0xFF, 0xC3, 0xA9, 0xE2, 0x82];
        var symbol = Atom.Symbol(bytes);

        Assert.Equal("a\uDCFFé\uDCE2\uDC82", symbol.Name);
        Assert.Equal(symbol, Atom.Symbol(symbol.Name));
        Assert.Equal(bytes, symbol.CanonicalUtf8.ToArray());
        Assert.Equal("#\"a\\xFFé\\xE2\\x82\"", MettaPrinter.Print(symbol));
        Assert.Equal(symbol, Assert.Single(MettaReader.Parse(MettaPrinter.Print(symbol))));
        Assert.Equal(symbol, Assert.Single(MettaReader.Parse("#\"a\\xff\\xC3\\xA9\\xe2\\x82\"")));

        // One name per byte string: escapes of bytes that are UTF-8 together are not a name (é is).
        Assert.Throws<ArgumentException>(() => Atom.Symbol("\uDCC3\uDCA9"));
    }

    [Fact]
    public void The_empty_symbol_takes_the_long_form_since_its_short_tag_is_a_new_variable()
    {
        var empty = Atom.Symbol("");
        Assert.Equal([0x02, 0xC1, (byte)'f', 0x41, 0x00], AtomEncoder.Encode(Atom.Expression(Atom.Symbol("f"), empty)));
        Assert.Equal(empty, AtomDecoder.Decode([0x41, 0x00]));
        Assert.Equal(Atom.Variable("x0"), AtomDecoder.Decode([0xC0]));
    }

    [Theory]
    [InlineData("#\"7\"", "the integer 7")]
    [InlineData("#\"True\"", "the boolean True")]
    [InlineData("#\"\\\"s\\\"\"", "a string")]
    public void A_quoted_symbol_with_the_text_of_another_atom_is_a_syntax_error(string text, string what) =>
        Assert.Contains(what, Assert.Throws<MettaSyntaxException>(() => MettaReader.Parse(text)).Message);

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("x)")]
    public void Variable_names_must_be_words(string name) =>
        Assert.Throws<ArgumentException>(() => Atom.Variable(name));

    [Fact]
    public void Text_with_unpaired_surrogates_is_refused()
    {
        // Built at run time: attribute strings cannot carry a lone surrogate.
        var lone = "a" + (char)0xDC00;

        Assert.Throws<ArgumentException>(() => Atom.String(lone));
        Assert.Throws<ArgumentException>(() => Atom.Symbol(lone));
        Assert.Throws<ArgumentException>(() => Atom.Variable(lone));
    }

    [Fact]
    public void A_hundred_thousand_levels_deep_atom_compares_hashes_and_prints()
    {
        Atom left = Atom.Symbol("x"), right = Atom.Symbol("x");
        for (var i = 0; i < 100_000; i++)
        {
            left = Atom.Expression(left);
            right = Atom.Expression(right);
        }

        Assert.Equal(left, right);
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
        Assert.Equal(200_001, left.ToString().Length);
    }
}
