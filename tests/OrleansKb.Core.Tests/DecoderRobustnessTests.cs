using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>
/// The decoder on bytes it did not write: random, truncated, corrupted and hand-made malformed input.
/// It either decodes an atom whose encoding is exactly the bytes it consumed (the format is canonical:
/// one byte string per atom), or throws <see cref="MalformedEncodingException"/> with an offset inside
/// the input — never another exception, a hang, a stack overflow or an allocation sized by a claim.
/// </summary>
public sealed class DecoderRobustnessTests
{
    private static readonly Lazy<(List<byte[]> Royal, List<byte[]> Shapes)> Corpus = new(BuildCorpus);

    /// <summary>Every encoding of the corpus: royal92 facts, then the other shapes.</summary>
    private static IEnumerable<byte[]> AllEncodings => Corpus.Value.Royal.Concat(Corpus.Value.Shapes);

    // Bytes that tokens are made of, so random input often forms (almost) valid tokens.
    private static readonly byte[] TokenBytes = "a1\"-+.e$\\x0 T(;'u{}5E"u8.ToArray();

    [Fact]
    public void Random_bytes_decode_canonically_or_throw_malformed()
    {
        var random = new Random(20240611);
        var decodedNext = 0;
        var decodedWhole = 0;
        var buffer = new byte[64];
        for (var sample = 0; sample < 100_000; sample++)
        {
            // Half the samples short, so that many are exactly one atom.
            var length = random.Next(2) == 0 ? random.Next(0, 9) : random.Next(0, buffer.Length + 1);
            for (var i = 0; i < length; i++)
            {
                buffer[i] = RandomByte(random);
            }

            var (next, whole) = CheckDecodesCanonicallyOrThrows(buffer.AsSpan(0, length).ToArray());
            decodedNext += next ? 1 : 0;
            decodedWhole += whole ? 1 : 0;
        }

        // The bias towards tags must actually produce valid atoms, or this test checks little.
        Assert.True(decodedNext > 10_000, $"only {decodedNext} samples started with a valid atom");
        Assert.True(decodedWhole > 1_000, $"only {decodedWhole} samples were exactly one valid atom");
    }

    [Fact]
    public void Every_strict_prefix_of_an_encoding_throws_malformed()
    {
        foreach (var encoding in AllEncodings)
        {
            foreach (var length in PrefixLengths(encoding.Length))
            {
                var prefix = encoding.AsSpan(0, length).ToArray();
                AssertMalformed(() => AtomDecoder.Decode(prefix), 0, length);
                AssertMalformed(() => AtomDecoder.DecodeNext(prefix, out _), 0, length);
                AssertMalformed(() => AtomDecoder.Measure(prefix), 0, length);
                if (length > 0)
                {
                    AssertMalformed(() => AtomDecoder.CountAtoms(prefix), 0, length);
                    AssertMalformed(() => AtomDecoder.DecodeAll(prefix), 0, length);
                }
            }
        }
    }

    [Fact]
    public void A_batch_ending_in_a_truncated_atom_throws_at_or_after_that_atom()
    {
        var corpus = AllEncodings.Where(e => e.Length < 4096).ToList();
        var cuttable = corpus.Where(e => e.Length >= 2).ToList();
        var random = new Random(99);
        for (var i = 0; i < 500; i++)
        {
            var whole = corpus[random.Next(corpus.Count)];
            var cut = cuttable[random.Next(cuttable.Count)];
            var batch = whole.Concat(cut.Take(random.Next(1, cut.Length))).ToArray();

            Assert.Equal(whole.Length, AtomDecoder.Measure(batch));
            AssertMalformed(() => AtomDecoder.CountAtoms(batch), whole.Length, batch.Length);
            AssertMalformed(() => AtomDecoder.DecodeAll(batch), whole.Length, batch.Length);
            AssertMalformed(() => AtomDecoder.Decode(batch), whole.Length, batch.Length);
        }
    }

    [Fact]
    public void Every_single_byte_corruption_decodes_canonically_or_throws_malformed()
    {
        // Each tag kind, an unknown tag, and characters that matter inside tokens; then the byte
        // itself with its low or high bit flipped, and plus one.
        byte[] replacements = [0x00, 0x01, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x80, 0xBF, 0xC0, 0xC1, 0xFF, (byte)'"', (byte)'\\', (byte)' ', (byte)'0'];

        // The royal92 facts share a few shapes: every 4th of them, and every other atom of the corpus.
        foreach (var encoding in Corpus.Value.Royal.Where((_, i) => i % 4 == 0).Concat(Corpus.Value.Shapes))
        {
            var corrupted = encoding.ToArray();
            foreach (var position in CorruptionPositions(encoding.Length))
            {
                var original = encoding[position];
                foreach (var value in replacements.Append((byte)(original ^ 0x01)).Append((byte)(original ^ 0x80)).Append((byte)(original + 1)))
                {
                    if (value == original)
                    {
                        continue;
                    }

                    corrupted[position] = value;
                    CheckDecodesCanonicallyOrThrows(corrupted);
                }

                corrupted[position] = original;
            }
        }
    }

    public static TheoryData<string, byte[], int> MalformedInputs()
    {
        var data = new TheoryData<string, byte[], int>
        {
            { "empty input", [], 0 },
            { "unknown tag 0x43", [0x43], 0 },
            { "unknown tag 0x7F inside an expression", [0x02, 0xC1, (byte)'a', 0x7F], 3 },
            { "variable reference before any NewVar", [0x80], 0 },
            { "reference to a variable not yet introduced", [0x03, 0xC0, 0x80, 0x81], 3 },
            { "long-form reference to a variable not yet introduced", [0x02, 0xC0, 0x42, 0x40], 2 },
            { "long-form arity with a short form (5)", [0x40, 0x05, .. Repeat([0xC1, (byte)'a'], 5)], 0 },
            { "long-form arity with a short form (63)", [0x40, 0x3F, .. Repeat([0xC1, (byte)'a'], 63)], 0 },
            { "long-form symbol length with a short form", [0x41, 0x03, (byte)'a', (byte)'b', (byte)'c'], 0 },
            { "long-form variable reference with a short form", [0x02, 0xC0, 0x42, 0x00], 2 },
            { "varint not in its shortest form", [0x40, 0xC0, 0x00, .. Repeat([0xC1, (byte)'a'], 64)], 0 },
            { "varint over 5 bytes", [0x40, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 0 },
            { "varint above 2^31-1", [0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, (byte)'a'], 0 },
            { "varint truncated", [0x41, 0x80], 0 },
            { "extension tag with nothing after it", [0x40], 0 },
            { "expression truncated", [0x02, 0xC1, (byte)'a'], 3 },
            { "token truncated", [0xC5, (byte)'a', (byte)'b'], 0 },
            { "long token claim beyond the input", [0x41, 0xC0, 0x84, 0x3D, (byte)'a', (byte)'b'], 0 },
            { "arity claim beyond the input", [0x40, 0x40, .. Repeat([0xC1, (byte)'a'], 10)], 0 },
            { "arity 3 with 2 children", [0x03, 0xC1, (byte)'a', 0xC1, (byte)'b'], 5 },
        };
        return data;
    }

    /// <summary>Tokens MORK may write that are not the canonical text of a string, number or boolean: each is a symbol of its bytes.</summary>
    public static TheoryData<string, byte[]> TokensThatAreNotCanonicalText() => new()
    {
        { "string with a \\x escape of a plain character", Encoding.UTF8.GetBytes("\"a\\x41\"") },
        { "string with a \\u escape of a plain character", Encoding.UTF8.GetBytes("\"\\u{41}\"") },
        { "string with a \\u escape of a non-ASCII character", Encoding.UTF8.GetBytes("\"\\u{e9}\"") },
        { "string with an escaped single quote", Encoding.UTF8.GetBytes("\"\\'\"") },
        { "string with a raw control character", Encoding.UTF8.GetBytes("\"a\u0001\"") },
        { "string with a raw DEL", Encoding.UTF8.GetBytes("\"\u007F\"") },
        { "string with a raw newline", Encoding.UTF8.GetBytes("\"a\nb\"") },
        { "string with lower-case hex in an escape", Encoding.UTF8.GetBytes("\"\\x1b\"") },
        { "string with an unescaped quote", Encoding.UTF8.GetBytes("\"a\"b\"") },
        { "string without a closing quote", Encoding.UTF8.GetBytes("\"ab") },
        { "string of a lone quote", Encoding.UTF8.GetBytes("\"") },
        { "string ending in a backslash", Encoding.UTF8.GetBytes("\"a\\\"") },
        { "string with an unknown escape", Encoding.UTF8.GetBytes("\"\\q\"") },
        { "string with \\x above 7F", Encoding.UTF8.GetBytes("\"\\xE9\"") },
        { "string with a surrogate \\u escape", Encoding.UTF8.GetBytes("\"\\u{D800}\"") },
        { "string with \\u above 10FFFF", Encoding.UTF8.GetBytes("\"\\u{110000}\"") },
        { "string with invalid UTF-8", [(byte)'"', 0xFF, (byte)'"'] },
        { "string with overlong UTF-8", [(byte)'"', 0xC0, 0xAF, (byte)'"'] },
        { "integer with a plus sign", Encoding.UTF8.GetBytes("+5") },
        { "integer with leading zeros", Encoding.UTF8.GetBytes("007") },
        { "negative integer with leading zeros", Encoding.UTF8.GetBytes("-007") },
        { "negative zero integer", Encoding.UTF8.GetBytes("-0") },
        { "integer overflow", Encoding.UTF8.GetBytes("9223372036854775808") },
        { "integer underflow", Encoding.UTF8.GetBytes("-9223372036854775809") },
        { "double with a trailing zero", Encoding.UTF8.GetBytes("1.50") },
        { "double with an upper-case exponent", Encoding.UTF8.GetBytes("1E5") },
        { "double with a plus in the exponent", Encoding.UTF8.GetBytes("1e+21") },
        { "double in exponent form where plain is canonical", Encoding.UTF8.GetBytes("1.5e0") },
        { "double in plain form where exponent is canonical", Encoding.UTF8.GetBytes("0.0000001") },
        { "double with a plus sign", Encoding.UTF8.GetBytes("+1.5") },
        { "double with a leading zero", Encoding.UTF8.GetBytes("01.5") },
        { "double out of range", Encoding.UTF8.GetBytes("1e999") },
        { "double negative zero spelled long", Encoding.UTF8.GetBytes("-0.00") },
        { "symbol with a space", Encoding.UTF8.GetBytes("a b") },
        { "symbol with a tab", Encoding.UTF8.GetBytes("a\tb") },
        { "symbol with a no-break space", Encoding.UTF8.GetBytes("a\u00A0b") },
        { "symbol with a line separator", Encoding.UTF8.GetBytes("a\u2028b") },
        { "symbol with an open parenthesis", Encoding.UTF8.GetBytes("a(b") },
        { "symbol with a close parenthesis", Encoding.UTF8.GetBytes("a)") },
        { "symbol with a semicolon", Encoding.UTF8.GetBytes("a;b") },
        { "symbol of a lone space", Encoding.UTF8.GetBytes(" ") },
        { "token starting with $", Encoding.UTF8.GetBytes("$x") },
        { "token of a lone $", Encoding.UTF8.GetBytes("$") },
        { "symbol of invalid UTF-8", [0xFF] },
        { "symbol of a truncated UTF-8 sequence", [(byte)'a', 0xC3] },
        { "symbol of overlong UTF-8", [0xC0, 0xAF] },
        { "symbol of an encoded surrogate", [0xED, 0xA0, 0x80] },
        { "long symbol with a space", Encoding.ASCII.GetBytes(new string('a', 63) + " ") },
        { "the empty token", [] },
        { "a token starting with #\"", Encoding.UTF8.GetBytes("#\"x") },
        };

    [Theory]
    [MemberData(nameof(TokensThatAreNotCanonicalText))]
    public void A_token_that_is_not_canonical_text_is_a_symbol_of_its_bytes(string description, byte[] token)
    {
        Assert.NotNull(description);
        byte[] header = token.Length is > 0 and < 64 ? [(byte)(0xC0 | token.Length)] : [0x41, .. VarintOf(token.Length)];
        byte[] alone = [.. header, .. token];
        byte[] inside = [0x02, 0xC1, (byte)'f', .. alone];
        foreach (var input in new[] { alone, inside })
        {
            var atom = AtomDecoder.Decode(input);
            var symbol = Assert.IsType<SymbolAtom>(atom is ExpressionAtom expression ? expression[1] : atom);
            Assert.Equal(token, symbol.CanonicalUtf8.ToArray());
            Assert.False(symbol.IsWord);
            Assert.Equal(input, AtomEncoder.Encode(atom));
            Assert.Equal(atom, Assert.Single(MettaReader.Parse(MettaPrinter.Print(atom))));
            Assert.Equal(1, AtomDecoder.CountAtoms(input));
        }

        static byte[] VarintOf(int value)
        {
            var bytes = new byte[EncodingTags.MaxVarintBytes];
            return bytes[..EncodingTags.WriteVarint(bytes, value)];
        }
    }

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void Malformed_input_throws_with_the_offset_of_the_fault(string description, byte[] input, int expectedOffset)
    {
        Assert.NotNull(description);
        Assert.Equal(expectedOffset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Decode(input)).Offset);
        Assert.Equal(expectedOffset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.DecodeNext(input, out _)).Offset);
        Assert.Equal(expectedOffset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Measure(input)).Offset);

        // In a batch, offsets count from the batch's start.
        byte[] valid = [0x02, 0xC1, (byte)'f', 0xC0];
        if (input.Length > 0)
        {
            byte[] batch = [.. valid, .. input];
            Assert.Equal(valid.Length + expectedOffset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.CountAtoms(batch)).Offset);
            Assert.Equal(valid.Length + expectedOffset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.DecodeAll(batch)).Offset);
        }
    }

    [Fact]
    public void Bytes_after_one_atom_are_refused_by_Decode_but_not_by_DecodeNext()
    {
        byte[] input = [0xC1, (byte)'a', 0xC1, (byte)'b'];

        Assert.Equal(2, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Decode(input)).Offset);
        Assert.Equal(Atom.Symbol("a"), AtomDecoder.DecodeNext(input, out var consumed));
        Assert.Equal(2, consumed);
        Assert.Equal(2, AtomDecoder.Measure(input));
        Assert.Equal(2, AtomDecoder.CountAtoms(input));

        byte[] expression = [0x01, 0xC0, 0x00];
        Assert.Equal(2, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Decode(expression)).Offset);
    }

    [Fact]
    public void Extension_forms_at_their_smallest_values_decode()
    {
        // The positive counterparts of the malformed cases: 64 is the first value that needs the long form.
        byte[] arity64 = [0x40, 0x40, .. Repeat([0xC1, (byte)'a'], 64)];
        Assert.Equal(64, Assert.IsType<ExpressionAtom>(AtomDecoder.Decode(arity64)).Count);

        byte[] symbol64 = [0x41, 0x40, .. Encoding.ASCII.GetBytes(new string('s', 64))];
        Assert.Equal(Atom.Symbol(new string('s', 64)), AtomDecoder.Decode(symbol64));

        // 65 new variables, then a reference to the 65th (index 64).
        byte[] variables = [0x40, 0x42, .. Enumerable.Repeat((byte)0xC0, 65), 0x42, 0x40];
        var decoded = Assert.IsType<ExpressionAtom>(AtomDecoder.Decode(variables));
        Assert.Equal(decoded[64], decoded[65]);
        Assert.Equal(variables, AtomEncoder.Encode(decoded));
    }

    [Fact]
    public void A_huge_arity_or_length_claim_fails_fast_without_allocating_for_it()
    {
        byte[] arity = [0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0xC1, (byte)'a', 0xC0];
        byte[] symbol = [0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, (byte)'a', (byte)'b', (byte)'c'];
        byte[] nested = [0x01, 0x01, 0x40, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0xC0, 0x80, 0x80];

        foreach (var (input, offset) in new[] { (arity, 0), (symbol, 0), (nested, 2) })
        {
            // Once to warm up (JIT, array pools), then measured.
            Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Decode(input));
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(offset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Decode(input)).Offset);
                Assert.Equal(offset, Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Measure(input)).Offset);
            }

            clock.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Assert.True(allocated < 1 << 20, $"20 failed decodes allocated {allocated} bytes");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"20 failed decodes took {clock.Elapsed}");
        }
    }

    [Fact]
    public void A_million_nested_expressions_decode_without_stack_overflow() => RunOnSmallStack(() =>
    {
        const int Depth = 1_000_000;
        var bytes = new byte[Depth + 2];
        bytes.AsSpan(0, Depth).Fill(0x01);
        bytes[Depth] = 0xC1;
        bytes[Depth + 1] = (byte)'a';

        Assert.Equal(bytes.Length, AtomDecoder.Measure(bytes));
        Assert.Equal(1, AtomDecoder.CountAtoms(bytes));
        var atom = AtomDecoder.Decode(bytes);

        var current = atom;
        var depth = 0;
        while (current is ExpressionAtom expression)
        {
            Assert.Equal(1, expression.Count);
            current = expression[0];
            depth++;
        }

        Assert.Equal(Depth, depth);
        Assert.True(Atom.Symbol("a").Equals(current));
        Assert.True(AtomEncoder.Encode(atom).AsSpan().SequenceEqual(bytes));

        var built = Chain(Atom.Symbol("a"), Depth);
        Assert.True(built.Equals(atom));
        Assert.Equal(built.GetHashCode(), atom.GetHashCode());

        // Cut short or with a different leaf, it is refused or different, still without recursion.
        Assert.Throws<MalformedEncodingException>(() => AtomDecoder.Decode(bytes.AsSpan(0, Depth + 1)));
        bytes[Depth + 1] = (byte)'b';
        Assert.False(AtomDecoder.Decode(bytes).Equals(atom));
    });

    [Fact]
    public void A_100000_deep_atom_prints_reads_encodes_compares_and_hashes_without_stack_overflow() => RunOnSmallStack(() =>
    {
        const int Depth = 100_000;
        var atom = Chain(Atom.Variable("x"), Depth);
        var same = Chain(Atom.Variable("x"), Depth);
        var renamed = Chain(Atom.Variable("y"), Depth);
        var other = Chain(Atom.Symbol("x"), Depth);

        Assert.True(atom.Equals(same));
        Assert.True(atom == same);
        Assert.Equal(atom.GetHashCode(), same.GetHashCode());
        Assert.False(atom.Equals(renamed));
        Assert.False(atom.Equals(other));
        Assert.True(Atom.AlphaEquivalent(atom, renamed));
        Assert.False(Atom.AlphaEquivalent(atom, other));

        var text = MettaPrinter.Print(atom);
        Assert.Equal(new string('(', Depth) + "$x" + new string(')', Depth), text);
        Assert.Equal(text, atom.ToString());
        var parsed = Assert.Single(MettaReader.Parse(text));
        Assert.True(parsed.Equals(atom));

        var bytes = AtomEncoder.Encode(atom);
        Assert.Equal(Depth + 1, bytes.Length);
        var decoded = AtomDecoder.Decode(bytes);
        Assert.True(Atom.AlphaEquivalent(atom, decoded));
        Assert.True(AtomEncoder.Encode(decoded).AsSpan().SequenceEqual(bytes));

        using var reader = new MettaReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), "deep", bufferSize: 4096);
        var writer = new EncodedAtomWriter();
        Assert.Equal(1, reader.ReadEncodedBatch(writer, int.MaxValue));
        Assert.True(writer.WrittenSpan.SequenceEqual(bytes));
    });

    /// <summary>
    /// Decodes <paramref name="data"/> every way the decoder offers and checks they agree: the atom
    /// at its start re-encodes to exactly the bytes consumed, or every entry point throws
    /// <see cref="MalformedEncodingException"/> with an offset inside the input. Returns whether an
    /// atom was found at the start, and whether the input was exactly one atom.
    /// </summary>
    private static (bool Next, bool Whole) CheckDecodesCanonicallyOrThrows(byte[] data)
    {
        Atom? atom = null;
        var consumed = 0;
        try
        {
            atom = AtomDecoder.DecodeNext(data, out consumed);
        }
        catch (MalformedEncodingException e)
        {
            AssertOffset(e, 0, data.Length, data);
        }
        catch (Exception e)
        {
            Assert.Fail($"DecodeNext threw {e.GetType().Name} on {Hex(data)}: {e}");
        }

        if (atom is null)
        {
            AssertMalformed(() => AtomDecoder.Decode(data), 0, data.Length);
            AssertMalformed(() => AtomDecoder.Measure(data), 0, data.Length);
            if (data.Length > 0)
            {
                AssertMalformed(() => AtomDecoder.CountAtoms(data), 0, data.Length);
            }

            return (false, false);
        }

        var reencoded = AtomEncoder.Encode(atom);
        Assert.True(
            reencoded.AsSpan().SequenceEqual(data.AsSpan(0, consumed)),
            $"not canonical: {Hex(data.AsSpan(0, consumed))} decoded to {MettaPrinter.Print(atom)}, which encodes as {Hex(reencoded)}");
        Assert.Equal(consumed, AtomDecoder.Measure(data));

        // A decoded atom is a valid atom: its text reads back as itself.
        Assert.True(Assert.Single(MettaReader.Parse(MettaPrinter.Print(atom))).Equals(atom));

        var whole = consumed == data.Length;
        if (whole)
        {
            Assert.True(AtomDecoder.Decode(data).Equals(atom));
        }
        else
        {
            AssertMalformed(() => AtomDecoder.Decode(data), consumed, consumed);
        }

        // The batch entry points agree with each other.
        int? count = null;
        try
        {
            count = AtomDecoder.CountAtoms(data);
        }
        catch (MalformedEncodingException e)
        {
            AssertOffset(e, consumed, data.Length, data);
        }

        if (count is { } atoms)
        {
            Assert.True(atoms >= 1);
            Assert.Equal(atoms, AtomDecoder.DecodeAll(data).Count);
        }
        else
        {
            AssertMalformed(() => AtomDecoder.DecodeAll(data), consumed, data.Length);
        }

        return (true, whole);
    }

    private static void AssertMalformed(Action action, int minOffset, int maxOffset)
    {
        try
        {
            action();
        }
        catch (MalformedEncodingException e)
        {
            Assert.InRange(e.Offset, minOffset, maxOffset);
            return;
        }

        Assert.Fail("no MalformedEncodingException was thrown");
    }

    private static void AssertMalformed<T>(Func<T> action, int minOffset, int maxOffset) => AssertMalformed(() => { action(); }, minOffset, maxOffset);

    private static void AssertOffset(MalformedEncodingException e, int min, int max, byte[] data) =>
        Assert.True(e.Offset >= min && e.Offset <= max, $"offset {e.Offset} outside [{min}, {max}] for {Hex(data)}: {e.Message}");

    private static byte RandomByte(Random random) => random.Next(100) switch
    {
        < 22 => (byte)random.Next(0, 4),
        < 28 => (byte)(0x80 + random.Next(3)),
        < 37 => 0xC0,
        < 53 => (byte)(0xC1 + random.Next(4)),
        < 57 => (byte)(0x40 + random.Next(4)),
        < 90 => TokenBytes[random.Next(TokenBytes.Length)],
        _ => (byte)random.Next(256),
    };

    /// <summary>All prefix lengths of short encodings; for long ones, both ends and a sample between.</summary>
    private static IEnumerable<int> PrefixLengths(int length) => length <= 4096
        ? Enumerable.Range(0, length)
        : Enumerable.Range(0, 512).Concat(Enumerable.Range(length - 512, 512)).Concat(Enumerable.Range(0, 64).Select(i => 512 + (int)((long)(length - 1024) * i / 64)));

    /// <summary>Every position of short encodings; the ends of long ones (each decode of those costs their whole length).</summary>
    private static IEnumerable<int> CorruptionPositions(int length)
    {
        var ends = length switch
        {
            <= 1024 => length,
            <= 16384 => 64,
            _ => 4,
        };
        return ends == length ? Enumerable.Range(0, length) : Enumerable.Range(0, ends).Concat(Enumerable.Range(length - ends, ends));
    }

    /// <summary>The encoding of one token: its size tag (short form), then its bytes.</summary>
    private static byte[] Token(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.InRange(bytes.Length, 1, 63);
        return [(byte)(0xC0 | bytes.Length), .. bytes];
    }

    private static byte[] Repeat(byte[] item, int times) => [.. Enumerable.Repeat(item, times).SelectMany(b => b)];

    private static Atom Chain(Atom leaf, int depth)
    {
        var atom = leaf;
        for (var i = 0; i < depth; i++)
        {
            atom = Atom.Expression(atom);
        }

        return atom;
    }

    /// <summary>Runs <paramref name="body"/> on a thread with a 256 KiB stack: recursion over depth would overflow it.</summary>
    private static void RunOnSmallStack(Action body)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    body();
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            },
            256 * 1024);
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 200 ? Convert.ToHexString(bytes) : Convert.ToHexString(bytes[..200]) + "…";

    /// <summary>
    /// Encodings of royal92-shaped facts (a sample of the real file and representative text), plus the
    /// awkward shapes: long tokens, wide expressions, many variables, escapes, extreme numbers.
    /// </summary>
    private static (List<byte[]> Royal, List<byte[]> Shapes) BuildCorpus()
    {
        var facts = TestData.ReadAtoms("aunt-kg/royal92_simple.metta");
        var royal = new List<byte[]>();
        for (var i = 0; i < facts.Count; i += 60)
        {
            royal.Add(AtomEncoder.Encode(facts[i]));
        }

        var atoms = new List<Atom>();

        atoms.AddRange(MettaReader.Parse("""
            (female "@I322@")
            (male "@I1534@")
            (hasName "@I1534@" "Edward the_Confessor //")
            (hasId "Nicholas_II Alexandrovich /Romanov/" "@I37@")
            (parent "@I1966@" "@I1972@")
            (= (aunt $x $y) (, (parent $p $y) (sister $p $x)))
            (= (sister $a $b) (, (parent $p $a) (parent $p $b) (female $a)))
            (= (fact $n) (if (== $n 0) 1 (* $n (fact (- $n 1)))))
            (: Human Type)
            (score -42 3.25 1e-7 -0.0 2.5e10 5e-324 True False)
            (limits 9223372036854775807 -9223372036854775808 1.7976931348623157e308)
            ("tab\tquote\"nl\nback\\ctl\x01del\x7F" "emoji 😀 é 中" "")
            ()
            (() (()) $x $x $y ($y $x))
            ($f $x)
            $solo
            sym
            "a string"
            É→λ😀
            a"b$c#d\e'f
            """));

        atoms.Add(Atom.Symbol(new string('a', 64)));
        atoms.Add(Atom.Symbol(new string('é', 40)));
        atoms.Add(Atom.Expression(Atom.Symbol("long"), Atom.Symbol(string.Concat(Enumerable.Repeat("😀x", 70_000 / 5))), Atom.Variable("v")));
        atoms.Add(Atom.String(new string('"', 40) + new string('\n', 40)));
        atoms.Add(Atom.Expression(Enumerable.Range(0, 64).Select(i => Atom.Symbol("s" + i.ToString(CultureInfo.InvariantCulture)))));
        atoms.Add(Atom.Expression(Enumerable.Range(0, 66).Select(i => (Atom)Atom.Integer((i * 7) - 100))));
        atoms.Add(Atom.Expression(Enumerable.Range(0, 64).Select(i => Atom.Variable("v" + i.ToString(CultureInfo.InvariantCulture)))));

        // More than 64 distinct variables, then references to early and late ones.
        var many = Enumerable.Range(0, 70).Select(i => Atom.Variable("v" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        atoms.Add(Atom.Expression([Atom.Symbol("many"), .. many, many[65], many[0], many[69], many[63], many[64]]));
        atoms.Add(Atom.Expression(
            Atom.Symbol("="),
            Atom.Expression(many.Take(66)),
            Atom.Expression(Enumerable.Range(0, 130).Select(i => many[(i * 37) % 70]))));

        return (royal, [.. atoms.Select(AtomEncoder.Encode)]);
    }
}
