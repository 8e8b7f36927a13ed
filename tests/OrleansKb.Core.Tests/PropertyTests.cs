using System.Globalization;
using System.Text;
using CsCheck;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>
/// Properties of the text and binary forms over random atoms (<see cref="RandomAtomGen"/>): every atom
/// prints to text that reads back as itself, encodes to bytes that decode to an alpha-equivalent atom,
/// and the reader's fast path writes exactly the encoder's bytes, whatever spelling the text uses.
/// </summary>
public sealed class PropertyTests
{
    private const long Iterations = 1000;

    private static readonly RandomAtomGen Atoms = new();

    [Fact]
    public void Printed_text_reads_back_as_the_same_atom() => Atoms.Sample(atom =>
    {
        var text = MettaPrinter.Print(atom);
        var parsed = MettaReader.Parse(text);

        var single = Assert.Single(parsed);
        Assert.Equal(atom, single);
        Assert.Equal(atom.GetHashCode(), single.GetHashCode());
        Assert.Equal(text, MettaPrinter.Print(single));
    }, iter: Iterations, print: Describe);

    [Fact]
    public void Encoded_bytes_decode_to_an_alpha_equivalent_atom_with_the_same_encoding() => Atoms.Sample(atom =>
    {
        var bytes = AtomEncoder.Encode(atom);
        var decoded = AtomDecoder.Decode(bytes);

        Assert.True(Transform.AlphaEquivalent(atom, decoded));
        Assert.True(Atom.AlphaEquivalent(atom, decoded));
        Assert.Equal(bytes, AtomEncoder.Encode(decoded));

        // Decoded variables are named by first occurrence.
        var names = Transform.VariableNames(decoded);
        Assert.Equal(Enumerable.Range(0, names.Count).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture)), names);

        Assert.Equal(atom.Kind, decoded.Kind);
        Assert.Equal(bytes.Length, AtomDecoder.Measure(bytes));
        Assert.Equal(1, AtomDecoder.CountAtoms(bytes));
        AtomDecoder.DecodeNext(bytes, out var consumed);
        Assert.Equal(bytes.Length, consumed);

        // Appending through a shared writer gives the same bytes as a fresh encoding.
        var writer = new EncodedAtomWriter(16);
        AtomEncoder.Append(atom, writer);
        AtomEncoder.Append(atom, writer);
        Assert.Equal([.. bytes, .. bytes], writer.ToArray());
        Assert.Equal(2, writer.AtomCount);
    }, iter: Iterations, print: Describe);

    [Fact]
    public void Fast_path_writes_exactly_the_encoders_bytes() => Atoms.Sample(atom =>
    {
        var expected = AtomEncoder.Encode(atom);
        var text = Encoding.UTF8.GetBytes(MettaPrinter.Print(atom));

        // A 16-byte buffer forces refills inside the atom; a large one reads it in one go.
        foreach (var bufferSize in (int[])[16, 1 << 20])
        {
            using var reader = new MettaReader(new MemoryStream(text), "generated", bufferSize: bufferSize);
            var writer = new EncodedAtomWriter(16);
            Assert.Equal(1, reader.ReadEncodedBatch(writer, int.MaxValue));
            Assert.Equal(expected, writer.ToArray());
            Assert.Equal(0, reader.ReadEncodedBatch(writer, int.MaxValue));
        }
    }, iter: Iterations, print: Describe);

    [Fact]
    public void Non_canonical_spellings_read_as_the_atom_and_encode_canonically() =>
        Atoms.Select(Gen.UInt, (atom, seed) => (atom, seed)).Sample((atom, seed) =>
        {
            var text = NoisyPrinter.Print(atom, new Random((int)seed));
            var expected = AtomEncoder.Encode(atom);

            var single = Assert.Single(MettaReader.Parse(text));
            Assert.Equal(atom, single);

            using var reader = new MettaReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), "noisy", bufferSize: 16);
            var writer = new EncodedAtomWriter(16);
            Assert.Equal(1, reader.ReadEncodedBatch(writer, int.MaxValue));
            Assert.Equal(expected, writer.ToArray());
        }, iter: Iterations, print: t => Describe(t.Item1) + " seed " + t.Item2.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public void A_batch_sorted_by_its_bytes_holds_the_same_encodings_in_byte_order() => Atoms.Array[0, 12].Sample(atoms =>
    {
        var writer = new EncodedAtomWriter(16);
        foreach (var atom in atoms)
        {
            AtomEncoder.Append(atom, writer);
        }

        writer.SortBytes();

        var encodings = atoms.Select(AtomEncoder.Encode).ToList();
        encodings.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        Assert.Equal(atoms.Length, writer.AtomCount);
        Assert.Equal(encodings.SelectMany(e => e).ToArray(), writer.ToArray());
        Assert.Equal(encodings.Select(e => e.Length), Enumerable.Range(0, writer.AtomCount).Select(writer.AtomLength));
    }, iter: Iterations / 2, print: atoms => string.Join(" | ", atoms.Select(Describe)));

    [Fact]
    public void Atoms_alike_in_their_first_bytes_are_sorted_by_the_rest()
    {
        // Equal past any eight bytes after their common start, one a prefix of another, or shorter.
        string[] texts = ["(trans 1 20)", "(trans 1 2)", "(trans 12 3)", "(trans 1 2 3)", "(trans 1 10)", "(trans 1 1)",
            "(s \"aaaaaaaaaaaaaaaa1\")", "(s \"aaaaaaaaaaaaaaaa\")", "(s \"aaaaaaaaaaaaaaaa0\")", "(s)", "trans", "(trans 1 2)"];
        var writer = new EncodedAtomWriter(16);
        foreach (var atom in MettaReader.Parse(string.Join(' ', texts)))
        {
            AtomEncoder.Append(atom, writer);
        }

        writer.SortBytes();

        var expected = MettaReader.Parse(string.Join(' ', texts)).Select(AtomEncoder.Encode).ToList();
        expected.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        Assert.Equal(expected.SelectMany(e => e).ToArray(), writer.ToArray());
    }

    [Fact]
    public void A_batch_of_atoms_is_their_encodings_back_to_back() =>
        Atoms.Array[1, 6].Select(Gen.Int[1, 200], (atoms, maxBytes) => (atoms, maxBytes)).Sample((atoms, maxBytes) =>
        {
            var separators = (string[])["\n", " ", "\t; a comment ( \" $x\n", "\r\n\r\n", " \u3000 "];
            var text = new StringBuilder();
            for (var i = 0; i < atoms.Length; i++)
            {
                text.Append(MettaPrinter.Print(atoms[i])).Append(separators[i % separators.Length]);
            }

            var expected = atoms.SelectMany(AtomEncoder.Encode).ToArray();

            using var reader = new MettaReader(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), "batch", bufferSize: 64);
            var writer = new EncodedAtomWriter(16);
            var all = new List<byte>();
            var count = 0;
            int read;
            while ((read = reader.ReadEncodedBatch(writer, maxBytes)) > 0)
            {
                Assert.Equal(read, writer.AtomCount);
                all.AddRange(writer.WrittenSpan);
                count += read;
                writer.Clear();
            }

            Assert.Equal(atoms.Length, count);
            Assert.Equal(expected, all.ToArray());
            Assert.Equal(atoms.Length, AtomDecoder.CountAtoms(expected));
            var decoded = AtomDecoder.DecodeAll(expected);
            Assert.Equal(atoms.Length, decoded.Count);
            for (var i = 0; i < atoms.Length; i++)
            {
                Assert.True(Atom.AlphaEquivalent(atoms[i], decoded[i]));
            }
        }, iter: Iterations / 2, print: t => string.Join(" | ", t.Item1.Select(Describe)) + " maxBytes " + t.Item2.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public void Renaming_variables_consistently_keeps_the_encoding() =>
        Atoms.Select(Gen.UInt, (atom, seed) => (atom, seed)).Sample((atom, seed) =>
        {
            var expected = AtomEncoder.Encode(atom);

            var suffixed = Transform.RenameVariables(atom, name => name + "_r");
            Assert.True(Transform.AlphaEquivalent(atom, suffixed));
            Assert.Equal(expected, AtomEncoder.Encode(suffixed));
            Assert.True(Atom.AlphaEquivalent(atom, suffixed));

            // A random bijection between the names (a permutation) changes nothing either.
            var names = Transform.VariableNames(atom);
            var shuffled = names.ToArray();
            new Random((int)seed).Shuffle(shuffled);
            var permutation = names.Zip(shuffled).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            var permuted = Transform.RenameVariables(atom, name => permutation[name]);
            Assert.Equal(expected, AtomEncoder.Encode(permuted));

            if (names.Count > 0)
            {
                Assert.NotEqual(atom, suffixed);
            }
        }, iter: Iterations, print: t => Describe(t.Item1));

    [Fact]
    public void Changing_one_token_or_merging_two_variables_changes_the_encoding() =>
        Atoms.Select(Gen.UInt, (atom, seed) => (atom, seed)).Sample((atom, seed) =>
        {
            var random = new Random((int)seed);
            var expected = AtomEncoder.Encode(atom);

            var tokens = Transform.CountTokens(atom);
            var changed = tokens > 0
                ? Transform.ChangeToken(atom, random.Next(tokens))
                : Atom.Expression(Atom.Symbol("changed"), atom);
            Assert.False(Transform.AlphaEquivalent(atom, changed));
            Assert.NotEqual(expected, AtomEncoder.Encode(changed));
            Assert.False(Atom.AlphaEquivalent(atom, changed));
            Assert.NotEqual(atom, changed);

            var names = Transform.VariableNames(atom);
            if (names.Count >= 2)
            {
                var from = names[random.Next(1, names.Count)];
                var into = names[random.Next(names.Count)];
                if (from != into)
                {
                    var merged = Transform.RenameVariables(atom, name => name == from ? into : name);
                    Assert.False(Transform.AlphaEquivalent(atom, merged));
                    Assert.NotEqual(expected, AtomEncoder.Encode(merged));
                    Assert.False(Atom.AlphaEquivalent(atom, merged));
                }
            }
        }, iter: Iterations, print: t => Describe(t.Item1) + " seed " + t.Item2.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public void The_generator_reaches_the_rare_shapes()
    {
        // Guards the generator itself: the properties above are only as good as what it produces.
        var pcg = new PCG(7, 12345);
        bool longSymbol = false, hugeToken = false, wideArity = false, manyVariables = false, emptyExpression = false;
        for (var i = 0; i < 3000; i++)
        {
            var atom = Atoms.Generate(pcg, null, out _);
            var tags = Tags(AtomEncoder.Encode(atom));
            longSymbol |= tags.LongSymbol;
            hugeToken |= tags.HugeToken;
            wideArity |= tags.LongArity;
            manyVariables |= tags.LongVarRef;
            emptyExpression |= tags.EmptyExpression;
        }

        Assert.True(longSymbol, "no token longer than 63 bytes");
        Assert.True(hugeToken, "no token longer than 64 KiB");
        Assert.True(wideArity, "no expression of arity 64 or more");
        Assert.True(manyVariables, "no reference to a variable numbered 64 or more");
        Assert.True(emptyExpression, "no empty expression");
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_between_tokens_and_a_symbol_starting_with_one_prints_quoted()
    {
        // The reader skips U+FEFF where a token could start (a byte-order mark), so a symbol starting
        // with it prints quoted to read back; inside a word it is an ordinary character.
        var leading = Atom.Symbol("\uFEFFsym");
        Assert.Equal("#\"\uFEFFsym\"", MettaPrinter.Print(leading));
        Assert.Equal(leading, Assert.Single(MettaReader.Parse(MettaPrinter.Print(leading))));
        Assert.Equal([Atom.Symbol("a"), Atom.Symbol("b")], MettaReader.Parse("\uFEFFa \uFEFFb"));

        var inside = Atom.Symbol("a\uFEFFb");
        Assert.Equal(inside, Assert.Single(MettaReader.Parse(MettaPrinter.Print(inside))));
    }

    private static string Describe(Atom atom)
    {
        var text = MettaPrinter.Print(atom);
        return text.Length <= 2000 ? text : string.Concat(text.AsSpan(0, 2000), $"… ({text.Length} chars)");
    }

    /// <summary>Which tags a (valid) encoding uses: a walk over the tag bytes of docs/encoding.md, skipping token text.</summary>
    private static (bool LongSymbol, bool HugeToken, bool LongArity, bool LongVarRef, bool EmptyExpression) Tags(byte[] bytes)
    {
        (bool LongSymbol, bool HugeToken, bool LongArity, bool LongVarRef, bool EmptyExpression) seen = default;
        for (var pos = 0; pos < bytes.Length;)
        {
            var tag = bytes[pos++];
            switch (tag)
            {
                case 0:
                    seen.EmptyExpression = true;
                    break;
                case 0x40:
                    seen.LongArity = true;
                    Varint(bytes, ref pos);
                    break;
                case 0x41:
                    seen.LongSymbol = true;
                    var length = Varint(bytes, ref pos);
                    seen.HugeToken |= length > 65536;
                    pos += length;
                    break;
                case 0x42:
                    seen.LongVarRef = true;
                    Varint(bytes, ref pos);
                    break;
                case > 0xC0:
                    pos += tag & 0x3F;
                    break;
            }
        }

        return seen;

        static int Varint(byte[] bytes, ref int pos)
        {
            var value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = bytes[pos++];
                value |= (b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }
    }
}

/// <summary>
/// Random atoms of every kind, biased towards the awkward cases: symbols with Unicode, emoji and
/// quote, dollar, hash and backslash characters; tokens longer than 63 bytes and (rarely) than
/// 64 KiB; variables from small pools so they repeat, and sometimes more than 64 in one atom; strings
/// with every escapable character; extreme integers and doubles; empty and wide (≥ 64) expressions.
/// Its size (for shrinking) is the number of nodes plus the tokens' length.
/// </summary>
internal sealed class RandomAtomGen : Gen<Atom>
{
    private static readonly string[] SymbolStarts =
    [
        "a", "b", "q", "Z", "T", "F", "_", "-", "+", "=", "&", "'", "#", "@", "\\", "!", "?", "*", "/", ".", ",", ":", "<", ">", "|", "~", "^", "`",
        "é", "ß", "Ж", "λ", "中", "文", "ア", "ع", "𝔸", "😀", "👍🏽", "🇫🇷", "👨‍👩‍👧",
    ];

    private static readonly string[] SymbolRest =
    [
        .. SymbolStarts, "\"", "$", "0", "5", "9", "e", "E", ".", "\u0301", "\u200B", "\u00AD", "\uFEFF", "\u0001", "\u007F", "\u0000", "{", "}", "[", "]",
    ];

    private static readonly string[] SpecialSymbols =
    [
        "-", "+", "1.", "1e", "1e+", "1.5x", "+-1", "0x10", "1_000", ".5", "5.", "-.5", "1..2", "1.5e", "٣", "Tru", "TRUE", "True1", "false", "true",
        "NaN", "Infinity", "-Infinity", "#t", "'quoted", "a\"b", "a$b", "a\\b", "=", "→", ",", "-e5", "e5", "x\"", "a\"\"b\"",

        // Not words (MORK's symbols are any bytes): they print as #"…".
        "", " ", "a b", "(", "a)", "\"q", "\"", "$x", "$", "007", "+5", "1.50", "-0", "#\"x", "#\"", "\uFEFFs", "x;y", "tab\t", "\u0001",
    ];

    private static readonly string[] StringChars =
    [
        "a", "b", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\0", "\u0001", "\u001B", "\u001F", "\u007F", "'", "$", "(", ")", ";", "{", "}", "x", "u",
        "é", "中", "😀", "👍🏽", "\u0085", "\u00A0", "\u2028", "\uFEFF", "\u0080", "\u009F", "\U0010FFFF",
    ];

    private static readonly string[] SmallVariablePool = ["x", "y", "z", "a1", "x0", "x1", "名", "🙂", "_", "v-1", "a\"b", "$$", "#", "True", "1"];

    private static readonly string[] LargeVariablePool = [.. Enumerable.Range(0, 100).Select(i => "v" + i.ToString(CultureInfo.InvariantCulture))];

    private static readonly long[] SpecialIntegers = [0, 1, -1, 7, 63, 64, -64, 255, 1 << 20, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1];

    private static readonly double[] SpecialDoubles =
    [
        0.0, -0.0, 1.0, -1.0, 1.5, 0.1, 1.0 / 3, 1e-7, 1e-6, 1.5e-7, 2.5e10, 5e-324, double.Epsilon, double.MaxValue, double.MinValue, 1e21, 1e20, 1.2345e21,
        123456789012345680000.0, 9007199254740993.0, 0.000001, 4.35, 100.0, -2.5e-300, 2.2250738585072014E-308,
    ];

    public override Atom Generate(PCG pcg, Size? min, out Size size)
    {
        ArgumentNullException.ThrowIfNull(pcg);
        var builder = new Builder(pcg);
        var atom = builder.Top();
        size = new Size(builder.Cost);
        return atom;
    }

    private sealed class Builder(PCG pcg)
    {
        private string[] _variables = SmallVariablePool;

        public ulong Cost { get; private set; }

        public Atom Top()
        {
            _variables = Percent(20) ? LargeVariablePool : SmallVariablePool;
            switch (pcg.Next(100))
            {
                case < 3:
                    // Many distinct variables, with repeats of the late ones: references numbered ≥ 64.
                    _variables = LargeVariablePool;
                    return Expression(Int(65, 160), () => Percent(90) ? Variable() : Leaf());
                case < 5:
                    // A chain of single-child expressions around an atom.
                    var atom = Node(2);
                    for (var i = Int(2, 300); i > 0; i--)
                    {
                        atom = Atom.Expression(atom);
                        Cost++;
                    }

                    return atom;
                default:
                    return Node(0);
            }
        }

        private Atom Node(int depth)
        {
            if (depth >= 4 || !Percent(40 - (10 * depth)))
            {
                return Leaf();
            }

            // Wide expressions hold mostly leaves, so atoms stay small.
            var arity = Arity();
            return Expression(arity, () => arity > 8 && Percent(90) ? Leaf() : Node(depth + 1));
        }

        private int Arity() => pcg.Next(100) switch
        {
            < 10 => 0,
            < 13 => Int(62, 70),
            < 14 => Int(120, 200),
            _ => Int(1, 6),
        };

        private ExpressionAtom Expression(int arity, Func<Atom> child)
        {
            Cost++;
            var children = new Atom[arity];
            for (var i = 0; i < arity; i++)
            {
                children[i] = child();
            }

            return Atom.Expression(children);
        }

        private Atom Leaf()
        {
            Cost++;
            return pcg.Next(100) switch
            {
                < 26 => Symbol(),
                < 28 => RawSymbol(),
                < 33 => Atom.Symbol(Pick(SpecialSymbols)),
                < 55 => Variable(),
                < 70 => Atom.String(Text(StringChars, Pick(StringChars))),
                < 82 => Atom.Integer(Integer()),
                < 95 => Atom.Double(Double()),
                _ => Atom.Boolean(Percent(50)),
            };
        }

        private VariableAtom Variable()
        {
            Cost++;
            return Atom.Variable(Pick(_variables));
        }

        private SymbolAtom Symbol()
        {
            var name = Text(SymbolRest, Pick(SymbolStarts));
            if (!WordClassifier.IsSymbol(Encoding.UTF8.GetBytes(name)))
            {
                name = "s" + name;
            }

            return Atom.Symbol(name);
        }

        /// <summary>A symbol of a few bytes of any value (often not UTF-8), as MORK may hold.</summary>
        private SymbolAtom RawSymbol()
        {
            var bytes = new byte[Int(0, 8)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)pcg.Next(256);
            }

            return WordClassifier.ClassifyToken(bytes) == WordKind.Symbol ? Atom.Symbol(bytes) : Atom.Symbol([(byte)'r', .. bytes]);
        }

        /// <summary>Text of <paramref name="first"/> then characters from <paramref name="pool"/>: usually short, sometimes over 63 bytes, rarely over 64 KiB.</summary>
        private string Text(string[] pool, string first)
        {
            var roll = pcg.Next(1000);
            var minBytes = roll switch
            {
                < 2 => Int(65_536, 70_000),
                < 80 => Int(60, 300),
                _ => 0,
            };
            var text = new StringBuilder(first);
            var bytes = Encoding.UTF8.GetByteCount(first);
            var chars = minBytes == 0 ? Int(0, 8) : int.MaxValue;
            while (chars-- > 0 && (minBytes == 0 || bytes < minBytes))
            {
                var next = Pick(pool);
                text.Append(next);
                bytes += Encoding.UTF8.GetByteCount(next);
            }

            Cost += (ulong)bytes;
            return text.ToString();
        }

        private long Integer() => pcg.Next(3) switch
        {
            0 => Pick(SpecialIntegers),
            1 => (long)pcg.Next64(),
            _ => Int(-1000, 1000),
        };

        private double Double()
        {
            switch (pcg.Next(4))
            {
                case 0:
                    return Pick(SpecialDoubles);
                case 1:
                    var bits = BitConverter.Int64BitsToDouble((long)pcg.Next64());
                    return double.IsFinite(bits) ? bits : 2.0;
                case 2:
                    return Int(-100_000, 100_000) / 100.0;
                default:
                    return Int(1, 1000) * Math.Pow(10, Int(-30, 30));
            }
        }

        private bool Percent(int percent) => pcg.Next(100) < percent;

        private int Int(int min, int maxExclusive) => min + (int)pcg.Next((uint)(maxExclusive - min));

        private T Pick<T>(T[] items) => items[pcg.Next((uint)items.Length)];
    }
}

/// <summary>Rewrites atoms for the metamorphic properties (recursive: generated atoms are a few hundred levels deep at most).</summary>
internal static class Transform
{
    public static Atom RenameVariables(Atom atom, Func<string, string> rename) => atom switch
    {
        VariableAtom variable => Atom.Variable(rename(variable.Name)),
        ExpressionAtom expression => Atom.Expression(expression.Children.ToArray().Select(child => RenameVariables(child, rename))),
        _ => atom,
    };

    /// <summary>
    /// Alpha-equivalence decided without the codec: the same shape and tokens, and variables related
    /// by a bijection of names.
    /// </summary>
    public static bool AlphaEquivalent(Atom left, Atom right)
    {
        var forward = new Dictionary<string, string>(StringComparer.Ordinal);
        var backward = new Dictionary<string, string>(StringComparer.Ordinal);
        return Same(left, right);

        bool Same(Atom a, Atom b)
        {
            switch (a, b)
            {
                case (VariableAtom x, VariableAtom y):
                    if (forward.TryGetValue(x.Name, out var mapped) || backward.TryGetValue(y.Name, out _))
                    {
                        return mapped == y.Name;
                    }

                    forward.Add(x.Name, y.Name);
                    backward.Add(y.Name, x.Name);
                    return true;
                case (ExpressionAtom x, ExpressionAtom y):
                    if (x.Count != y.Count)
                    {
                        return false;
                    }

                    for (var i = 0; i < x.Count; i++)
                    {
                        if (!Same(x[i], y[i]))
                        {
                            return false;
                        }
                    }

                    return true;
                case (TokenAtom x, TokenAtom y):
                    return x.Kind == y.Kind && x.CanonicalUtf8.SequenceEqual(y.CanonicalUtf8);
                default:
                    return false;
            }
        }
    }

    /// <summary>Distinct variable names in order of first occurrence.</summary>
    public static List<string> VariableNames(Atom atom)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Visit(atom);
        return names;

        void Visit(Atom a)
        {
            if (a is VariableAtom variable && seen.Add(variable.Name))
            {
                names.Add(variable.Name);
            }
            else if (a is ExpressionAtom expression)
            {
                foreach (var child in expression.Children)
                {
                    Visit(child);
                }
            }
        }
    }

    public static int CountTokens(Atom atom) => atom switch
    {
        TokenAtom => 1,
        ExpressionAtom expression => expression.Children.ToArray().Sum(CountTokens),
        _ => 0,
    };

    /// <summary>The atom with its <paramref name="index"/>-th token (prefix order) replaced by a different token of the same kind.</summary>
    public static Atom ChangeToken(Atom atom, int index)
    {
        return Walk(atom, ref index);

        static Atom Walk(Atom a, ref int remaining)
        {
            switch (a)
            {
                case TokenAtom token:
                    return remaining-- == 0 ? Changed(token) : a;
                case ExpressionAtom expression:
                    var children = expression.Children.ToArray();
                    for (var i = 0; i < children.Length && remaining >= 0; i++)
                    {
                        children[i] = Walk(children[i], ref remaining);
                    }

                    return Atom.Expression(children);
                default:
                    return a;
            }
        }

        static Atom Changed(TokenAtom token) => token switch
        {
            SymbolAtom symbol => Atom.Symbol(symbol.Name + "x"),
            StringAtom text => Atom.String(text.Value + "x"),
            IntegerAtom integer => Atom.Integer(integer.Value == long.MaxValue ? integer.Value - 1 : integer.Value + 1),
            DoubleAtom number => Atom.Double(double.IsFinite(Math.BitIncrement(number.Value)) ? Math.BitIncrement(number.Value) : Math.BitDecrement(number.Value)),
            BooleanAtom boolean => Atom.Boolean(!boolean.Value),
            _ => throw new InvalidOperationException("unknown token kind"),
        };
    }
}

/// <summary>
/// Prints an atom as valid MeTTa text in a random non-canonical spelling: extra whitespace (Unicode
/// too) and comments, a byte-order mark, signs, leading zeros, trailing fractional zeros and
/// exponents on numbers, and alternative escapes in strings. It must read as the same atom.
/// </summary>
internal static class NoisyPrinter
{
    private static readonly string[] Gaps = [" ", "  ", "\t", "\n", "\r\n", " ; comment ) ( \" $x\n", "\u00A0", "\u2003", "\u3000", "\v\f"];

    public static string Print(Atom atom, Random random)
    {
        var text = new StringBuilder();
        if (random.Next(10) == 0)
        {
            text.Append('\uFEFF');
        }

        Gap(text, random, optional: true);
        Write(atom, text, random);
        Gap(text, random, optional: true);
        return text.ToString();
    }

    private static void Write(Atom atom, StringBuilder text, Random random)
    {
        switch (atom)
        {
            case ExpressionAtom expression:
                text.Append('(');
                Gap(text, random, optional: true);
                for (var i = 0; i < expression.Count; i++)
                {
                    if (i > 0)
                    {
                        Gap(text, random, optional: false);
                    }

                    Write(expression[i], text, random);
                }

                Gap(text, random, optional: true);
                text.Append(')');
                break;
            case IntegerAtom integer:
                text.Append(Integer(integer.Value.ToString(CultureInfo.InvariantCulture), random));
                break;
            case DoubleAtom number:
                text.Append(Double(Encoding.ASCII.GetString(number.CanonicalUtf8), random));
                break;
            case StringAtom value:
                QuotedString(value.Value, text, random);
                break;
            default:
                text.Append(atom.ToString());
                break;
        }
    }

    private static void Gap(StringBuilder text, Random random, bool optional)
    {
        if (optional && random.Next(2) == 0)
        {
            return;
        }

        for (var i = random.Next(1, 3); i > 0; i--)
        {
            text.Append(Gaps[random.Next(Gaps.Length)]);
        }
    }

    private static string Integer(string canonical, Random random)
    {
        var negative = canonical.StartsWith('-');
        var digits = negative ? canonical[1..] : canonical;
        var sign = negative || (digits == "0" && random.Next(3) == 0) ? "-" : random.Next(3) == 0 ? "+" : string.Empty;
        return sign + new string('0', random.Next(3)) + digits;
    }

    private static string Double(string canonical, Random random)
    {
        var negative = canonical.StartsWith('-');
        var body = negative ? canonical[1..] : canonical;
        var exponentAt = body.IndexOf('e', StringComparison.Ordinal);
        var mantissa = exponentAt < 0 ? body : body[..exponentAt];
        var exponent = exponentAt < 0 ? null : body[(exponentAt + 1)..];

        if (!mantissa.Contains('.', StringComparison.Ordinal) && random.Next(2) == 0)
        {
            mantissa += ".0";
        }

        if (mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa += new string('0', random.Next(3));
        }

        mantissa = new string('0', random.Next(3)) + mantissa;
        if (exponent is null && random.Next(3) == 0)
        {
            exponent = "0";
        }

        var sign = negative ? "-" : random.Next(3) == 0 ? "+" : string.Empty;
        if (exponent is null)
        {
            return sign + mantissa;
        }

        var exponentSign = exponent.StartsWith('-') ? string.Empty : random.Next(2) == 0 ? "+" : string.Empty;
        return sign + mantissa + (random.Next(2) == 0 ? "e" : "E") + exponentSign + exponent;
    }

    private static void QuotedString(string value, StringBuilder text, Random random)
    {
        text.Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            var c = rune.Value;
            var choice = random.Next(4);
            if (choice == 0)
            {
                // \u{…}: 1 to 8 hex digits, either case.
                var hex = c.ToString(random.Next(2) == 0 ? "x" : "X", CultureInfo.InvariantCulture);
                hex = new string('0', random.Next(0, 8 - hex.Length + 1)) + hex;
                text.Append("\\u{").Append(hex).Append('}');
            }
            else if (choice == 1 && c <= 0x7F)
            {
                text.Append("\\x").Append(c.ToString(random.Next(2) == 0 ? "x2" : "X2", CultureInfo.InvariantCulture));
            }
            else if (c is '"' or '\\')
            {
                text.Append('\\').Append((char)c);
            }
            else if (c == '\'' && choice == 2)
            {
                text.Append("\\'");
            }
            else if (c is '\n' or '\r' or '\t' && choice == 2)
            {
                text.Append(c switch { '\n' => "\\n", '\r' => "\\r", _ => "\\t" });
            }
            else
            {
                // Raw: control characters and DEL are allowed unescaped inside a string.
                text.Append(rune.ToString());
            }
        }

        text.Append('"');
    }
}
