using OrleansKb.Atoms;
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
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a(")]
    [InlineData("a;")]
    [InlineData("\"q")]
    [InlineData("$x")]
    [InlineData("12")]
    [InlineData("1.5")]
    [InlineData("True")]
    [InlineData("a\u3000b")]
    public void Symbols_that_would_not_read_back_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => Atom.Symbol(name));

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
