using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Tests.Reference;
using OrleansKb.Text;

namespace OrleansKb.Tests;

public sealed class ReaderTests
{
    private static Atom One(string text) => Assert.Single(MettaReader.Parse(text));

    private static Atom Sym(string name) => Atom.Symbol(name);

    private static Atom Expr(params Atom[] children) => Atom.Expression(children);

    [Fact]
    public void Reads_every_kind_of_atom()
    {
        var atom = One("(f sym $v \"s\" 42 -7 +3 1.5 1e-7 2.5E+10 True False () (()))");

        Assert.Equal(
            Expr(Sym("f"), Sym("sym"), Atom.Variable("v"), Atom.String("s"), Atom.Integer(42), Atom.Integer(-7),
                Atom.Integer(3), Atom.Double(1.5), Atom.Double(1e-7), Atom.Double(2.5e10), Atom.Boolean(true),
                Atom.Boolean(false), Expr(), Expr(Expr())),
            atom);
    }

    [Theory]
    [InlineData("123abc")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.5.3")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData("abc\"def\"")]
    [InlineData("a$b")]
    [InlineData("CL:0000001")]
    [InlineData("名前")]
    [InlineData("٣")]
    [InlineData("Sim\\\"ilarity")]
    public void Words_that_are_not_numbers_or_booleans_are_symbols(string word) =>
        Assert.Equal(Sym(word), One(word));

    [Theory]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"a\\'b\"", "a'b")]
    [InlineData("\"a\\\\b\"", "a\\b")]
    [InlineData("\"\\n\\r\\t\"", "\n\r\t")]
    [InlineData("\"\\x41\\x7F\\x00\"", "A\u007F\0")]
    [InlineData("\"\\u{41}\\u{e9}\\u{1F600}\\u{0000041}\"", "Aé😀A")]
    [InlineData("\"line one\nline two\"", "line one\nline two")]
    [InlineData("\"; not a comment (\"", "; not a comment (")]
    [InlineData("\"\"", "")]
    public void Strings_resolve_every_escape(string token, string value) =>
        Assert.Equal(Atom.String(value), One(token));

    [Fact]
    public void Integer_limits_read_exactly()
    {
        Assert.Equal(Atom.Integer(long.MaxValue), One("9223372036854775807"));
        Assert.Equal(Atom.Integer(long.MinValue), One("-9223372036854775808"));
        Assert.Equal(Atom.Integer(0), One("-0"));
        Assert.Equal(Atom.Integer(7), One("007"));
    }

    [Fact]
    public void Comments_whitespace_and_line_endings_are_skipped_everywhere()
    {
        var atoms = MettaReader.Parse("\uFEFF; header\r\n(a ; inside\r\n  b\u00A0c\u3000(d)) ; after\r\nlast");

        Assert.Equal([Expr(Sym("a"), Sym("b"), Sym("c"), Expr(Sym("d"))), Sym("last")], atoms);
    }

    [Fact]
    public void A_word_ends_at_a_comment_or_parenthesis()
    {
        Assert.Equal([Expr(Sym("a"), Expr(Sym("b"))), Sym("c")], MettaReader.Parse("(a(b))c;d"));
    }

    [Theory]
    [InlineData("(a b))", 1, 6, "unexpected ')'")]
    [InlineData(")", 1, 1, "unexpected ')'")]
    [InlineData("(a\n (b c)\n", 1, 1, "'(' is never closed")]
    [InlineData("(a\n  (b c\n", 2, 3, "'(' is never closed")]
    [InlineData("(a \"open", 1, 4, "string is never closed")]
    [InlineData("(a \"x\\#y\")", 1, 6, "invalid escape sequence '\\#'")]
    [InlineData("\"\\x80\"", 1, 2, "above \\x7F")]
    [InlineData("\"\\x4\"", 1, 2, "two hex digits")]
    [InlineData("\"\\u{110000}\"", 1, 2, "not a Unicode character")]
    [InlineData("\"\\u{D800}\"", 1, 2, "not a Unicode character")]
    [InlineData("\"\\u{}\"", 1, 2, "\\u needs")]
    [InlineData("\"\\u{123456789}\"", 1, 2, "\\u needs")]
    [InlineData("\"\\u41\"", 1, 2, "\\u needs")]
    [InlineData("\"ab\\", 1, 1, "string is never closed")]
    [InlineData("(x 9223372036854775808)", 1, 4, "does not fit in 64 bits")]
    [InlineData("-9223372036854775809", 1, 1, "does not fit in 64 bits")]
    [InlineData("(x 1e400)", 1, 4, "out of the range of a double")]
    [InlineData("(f $ x)", 1, 4, "'$' must be followed by a variable name")]
    [InlineData("(été\n  \"ü\\q\")", 2, 5, "invalid escape")]
    public void Errors_name_line_column_and_cause(string text, int line, int column, string reason)
    {
        var error = Assert.Throws<MettaSyntaxException>(() => MettaReader.Parse(text, "input.metta"));

        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal($"input.metta:{line}:{column}: {error.Reason}", error.Message);
        Assert.Equal(line, Assert.Throws<ReferenceSyntaxException>(() => ReferenceReader.ReadAll(text)).Line);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_with_its_position()
    {
        var bytes = "(a b)\n(c \xFF)"u8.ToArray();
        bytes[9] = 0xFF;

        using var reader = new MettaReader(new MemoryStream(bytes), "bad.metta");
        Assert.True(reader.TryRead(out _));
        var error = Assert.Throws<MettaSyntaxException>(() => reader.TryRead(out _));

        Assert.Equal("bad.metta:2:4: invalid UTF-8", error.Message);
        Assert.Throws<MettaSyntaxException>(() => reader.TryRead(out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x28, 0x61, 0x20, 0xC3 })]
    [InlineData(new byte[] { 0x3B, 0x20, 0xE2, 0x82 })]
    [InlineData(new byte[] { 0x22, 0xF0, 0x9F, 0x22 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void Invalid_or_truncated_utf8_anywhere_is_an_error(byte[] bytes)
    {
        using var reader = new MettaReader(new MemoryStream(bytes), "bad.metta");
        var error = Assert.Throws<MettaSyntaxException>(() => reader.CountRemaining());
        Assert.Contains("UTF-8", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_count_characters_not_bytes_even_across_buffer_refills()
    {
        var prefix = new string('é', 40) + " ";
        var text = prefix + "\"\\q\"";

        using var reader = new MettaReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), "t", bufferSize: 16);
        var error = Assert.Throws<MettaSyntaxException>(() => reader.CountRemaining());

        Assert.Equal(1, error.Line);
        Assert.Equal(prefix.Length + 2, error.Column);
    }

    [Fact]
    public void Ten_thousand_levels_of_nesting_read_print_and_encode()
    {
        const int depth = 10_000;
        var text = new string('(', depth) + "x" + new string(')', depth);

        var atom = One(text);

        Assert.Equal(text, MettaPrinter.Print(atom));
        Assert.True(Atom.AlphaEquivalent(atom, AtomDecoder.Decode(AtomEncoder.Encode(atom))));
        Assert.Equal(atom, One(text));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_a_clear_error()
    {
        var ok = new string('(', MettaReader.DefaultMaxDepth) + new string(')', MettaReader.DefaultMaxDepth);
        var tooDeep = "(" + ok + ")";

        Assert.Single(MettaReader.Parse(ok));
        var error = Assert.Throws<MettaSyntaxException>(() => MettaReader.Parse(tooDeep));
        Assert.Contains("deeper than 100000 levels", error.Reason, StringComparison.Ordinal);
        Assert.Equal(MettaReader.DefaultMaxDepth + 1, error.Column);
    }

    [Fact]
    public void Wide_long_and_variable_rich_atoms_read_and_encode_losslessly()
    {
        var wide = "(" + string.Join(' ', Enumerable.Range(0, 100_000)) + ")";
        var longSymbol = new string('s', 70_000);
        var manyVariables = "(f " + string.Join(' ', Enumerable.Range(0, 1000).Select(i => $"$v{i}")) + " $v999 $v0)";

        foreach (var text in new[] { wide, longSymbol, manyVariables, "(" + longSymbol + " \"" + longSymbol + "\")" })
        {
            var atom = One(text);
            var bytes = AtomEncoder.Encode(atom);

            Assert.Equal(text, MettaPrinter.Print(atom));
            Assert.Equal(bytes, AtomEncoder.Encode(AtomDecoder.Decode(bytes)));
            Assert.True(Atom.AlphaEquivalent(atom, AtomDecoder.Decode(bytes)));
        }
    }

    [Fact]
    public void Batches_hold_whole_atoms_and_stop_at_the_byte_bound()
    {
        var text = string.Join('\n', Enumerable.Range(0, 1000).Select(i => $"(fact {i} \"value {i}\")"));
        using var reader = new MettaReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        var writer = new EncodedAtomWriter();
        var batches = new List<(int Atoms, int Bytes)>();

        int count;
        while ((count = reader.ReadEncodedBatch(writer, 1000)) > 0)
        {
            Assert.Equal(count, AtomDecoder.CountAtoms(writer.WrittenSpan));
            batches.Add((count, writer.Length));
            writer.Clear();
        }

        // Every batch but the last reaches the bound and overshoots it by less than one atom (< 40 bytes here).
        Assert.All(batches[..^1], b => Assert.InRange(b.Bytes, 1000, 1040));
        Assert.InRange(batches[^1].Bytes, 1, 1040);
        Assert.Equal(1000, batches.Sum(b => b.Atoms));
    }
}
