using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Tests;

public sealed class PrinterTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1.5, "1.5")]
    [InlineData(-2.0, "-2.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(0.000001, "0.000001")]
    [InlineData(2.5e10, "25000000000.0")]
    [InlineData(1e20, "100000000000000000000.0")]
    [InlineData(1e21, "1e21")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(0.049659785047587994, "0.049659785047587994")]
    [InlineData(double.MaxValue, "1.7976931348623157e308")]
    [InlineData(double.Epsilon, "5e-324")]
    public void Doubles_print_in_shortest_round_trip_form_and_stay_doubles(double value, string text)
    {
        Assert.Equal(text, MettaPrinter.Print(Atom.Double(value)));
        Assert.Equal(Atom.Double(value), Assert.Single(MettaReader.Parse(text)));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("q\"b\\s", "\"q\\\"b\\\\s\"")]
    [InlineData("n\nr\rt\t", "\"n\\nr\\rt\\t\"")]
    [InlineData("\u0001\u001f\u007f", "\"\\x01\\x1F\\x7F\"")]
    [InlineData("é中😀'", "\"é中😀'\"")]
    public void Strings_print_re_escaped(string value, string text)
    {
        Assert.Equal(text, MettaPrinter.Print(Atom.String(value)));
        Assert.Equal(Atom.String(value), Assert.Single(MettaReader.Parse(text)));
    }

    [Fact]
    public void Expressions_print_with_single_spaces_and_variables_with_dollar()
    {
        var atom = Assert.Single(MettaReader.Parse("(  =\n (f   $x ( ) ) ; c\n ( (a) b )  +0042 )"));

        Assert.Equal("(= (f $x ()) ((a) b) 42)", MettaPrinter.Print(atom));
        Assert.Equal("()", MettaPrinter.Print(Atom.Expression()));
        Assert.Equal("(())", MettaPrinter.Print(Atom.Expression(Atom.Expression())));
    }
}
