using System.Buffers;
using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Codec;

/// <summary>
/// Decodes and validates the binary key format (docs/encoding.md). Every input is checked: bytes
/// that are truncated, use an unknown tag, refer to a variable not yet introduced, or use a long
/// form where a short one fits give a <see cref="MalformedEncodingException"/>; every token is an
/// atom (a symbol of its bytes unless it is the canonical text of a string, number or boolean); the
/// decoder never reads out of range, never recurses, and never allocates in proportion to a
/// length it has not yet seen the bytes for.
/// </summary>
public static class AtomDecoder
{
    private static readonly VariableAtom[] DecodedVariableNames =
        [.. Enumerable.Range(0, 64).Select(i => VariableAtom.FromValidatedUtf8(Encoding.ASCII.GetBytes($"x{i}")))];

    /// <summary>Decodes exactly one atom that fills <paramref name="encoded"/>.</summary>
    public static Atom Decode(ReadOnlySpan<byte> encoded)
    {
        var atom = DecodeNext(encoded, out var consumed);
        if (consumed != encoded.Length)
        {
            throw new MalformedEncodingException("bytes follow the end of the atom", consumed);
        }

        return atom;
    }

    /// <summary>
    /// Decodes two atoms encoded with one numbering of variables (<see cref="AtomEncoder.EncodeSharingVariables"/>):
    /// <paramref name="first"/> is one whole atom, <paramref name="second"/> one atom whose variables continue the first's.
    /// </summary>
    public static (Atom First, Atom Second) DecodeSharingVariables(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var pair = new byte[1 + first.Length + second.Length];
        pair[0] = 2;
        first.CopyTo(pair.AsSpan(1));
        second.CopyTo(pair.AsSpan(1 + first.Length));
        var decoded = (ExpressionAtom)Decode(pair);
        if (Measure(pair.AsSpan(1)) != first.Length)
        {
            throw new MalformedEncodingException("the first atom of the two does not end where its bytes do", 0);
        }

        return (decoded[0], decoded[1]);
    }

    /// <summary>
    /// A match's pattern and template as they travel (docs/encoding.md, "A pattern and its template"):
    /// the template shares the pattern's numbering of variables; an empty template means the match only
    /// counts (null).
    /// </summary>
    public static (Atom Pattern, Atom? Template) DecodeQuery(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> template) =>
        template.IsEmpty ? (Decode(pattern), null) : DecodeSharingVariables(pattern, template);

    /// <summary>Decodes one atom read from a space's own keys (valid: encoded by us, or checked when it came in).</summary>
    internal static Atom DecodeTrusted(ReadOnlySpan<byte> encoded)
    {
        // Most values a join binds are single tokens: built directly, without setting up a walk
        // (about half the cost; a result instantiates two or three of them).
        var tag = encoded[0];
        if (tag > EncodingTags.SymbolBase && encoded.Length == 1 + (tag & 0x3F))
        {
            var token = encoded[1..];
            if (WordClassifier.ClassifyToken(token) is not { } kind)
            {
                return StringAtom.FromCanonicalToken(token);
            }

            var tokens = s_builder ??= new AtomBuilder();
            tokens.Reset();
            tokens.AddToken(token, kind);
            return tokens.Result;
        }

        var builder = new BuildingVisitor(s_builder ??= new AtomBuilder());
        builder.Builder.Reset();
        Walk(encoded, ref builder);
        return builder.Builder.Result;
    }

    /// <summary>
    /// A short text of a valid encoded atom, for a message about it (an atom too large to print
    /// whole): each token cut to <see cref="ExcerptTokenBytes"/> bytes and the whole to about
    /// <see cref="ExcerptChars"/> characters, cuts marked with <c>…</c>. Not canonical text.
    /// </summary>
    public static string Excerpt(ReadOnlySpan<byte> encoded)
    {
        var visitor = new ExcerptVisitor(new StringBuilder());
        Walk(encoded, ref visitor);
        return visitor.Text.ToString();
    }

    private const int ExcerptTokenBytes = 24;
    private const int ExcerptChars = 120;

    // One builder per thread: its symbol cache (shared symbols across decodes) is too large to make per atom.
    [ThreadStatic]
    private static AtomBuilder? s_builder;

    /// <summary>Decodes the atom at the start of <paramref name="data"/>. Variables are named <c>$x0</c>, <c>$x1</c>, … by first occurrence.</summary>
    public static Atom DecodeNext(ReadOnlySpan<byte> data, out int consumed)
    {
        var builder = new BuildingVisitor(s_builder ??= new AtomBuilder());
        builder.Builder.Reset();
        consumed = Walk(data, ref builder);
        return builder.Builder.Result;
    }

    /// <summary>
    /// Decodes one valid atom (encoded by us) with its variables named <c>$x0#stamp</c>,
    /// <c>$x1#stamp</c>, …: names no pattern and no atom decoded with another stamp uses, which is
    /// how a matcher renames a stored atom apart before unifying it.
    /// </summary>
    internal static Atom DecodeApart(ReadOnlySpan<byte> encoded, int stamp) => DecodeApart(encoded, $"#{stamp}");

    /// <summary>As <see cref="DecodeApart(ReadOnlySpan{byte}, int)"/>, with the variables named <c>$x0</c>, <c>$x1</c>, … followed by <paramref name="suffix"/>.</summary>
    internal static Atom DecodeApart(ReadOnlySpan<byte> encoded, string suffix)
    {
        var builder = new BuildingVisitor(s_builder ??= new AtomBuilder(), suffix);
        builder.Builder.Reset();
        Walk(encoded, ref builder);
        return builder.Builder.Result;
    }

    /// <summary>Decodes every atom of a batch (encoded atoms back to back).</summary>
    public static List<Atom> DecodeAll(ReadOnlySpan<byte> batch)
    {
        var atoms = new List<Atom>();
        var builder = new BuildingVisitor(s_builder ??= new AtomBuilder());
        for (var offset = 0; offset < batch.Length;)
        {
            builder.Builder.Reset();
            offset += Walk(batch[offset..], ref builder, offset);
            atoms.Add(builder.Builder.Result);
        }

        return atoms;
    }

    /// <summary>Validates the atom at the start of <paramref name="data"/> without building it; returns its length.</summary>
    public static int Measure(ReadOnlySpan<byte> data)
    {
        var visitor = default(ValidatingVisitor);
        return Walk(data, ref visitor);
    }

    /// <summary>Validates a whole batch without building atoms; returns how many atoms it holds.</summary>
    public static int CountAtoms(ReadOnlySpan<byte> batch)
    {
        var count = 0;
        var visitor = default(ValidatingVisitor);
        for (var offset = 0; offset < batch.Length; count++)
        {
            offset += Walk(batch[offset..], ref visitor, offset);
        }

        return count;
    }

    /// <summary>
    /// Validates a whole batch, appending each atom to <paramref name="into"/> as it is checked (the
    /// walk that validates an atom also finds where it ends). Throws at the first malformed atom;
    /// the caller then discards <paramref name="into"/>.
    /// </summary>
    internal static void ValidateInto(ReadOnlySpan<byte> batch, EncodedAtomWriter into)
    {
        var visitor = default(ValidatingVisitor);
        for (var offset = 0; offset < batch.Length;)
        {
            var length = Walk(batch[offset..], ref visitor, offset);
            into.AppendAtom(batch.Slice(offset, length));
            offset += length;
        }
    }

    /// <summary>Walks one atom in prefix order, validating as it goes; returns the bytes it took.</summary>
    private static int Walk<TVisitor>(ReadOnlySpan<byte> data, ref TVisitor visitor, int reportBase = 0)
        where TVisitor : struct, IDecodeVisitor
    {
        // Children left to walk at each open depth: on the stack, in a pooled array past 16 levels.
        Span<int> remaining = stackalloc int[16];
        int[]? rented = null;
        try
        {
            var depth = 0;
            var variables = 0;
            var pos = 0;
            while (true)
            {
                if (pos >= data.Length)
                {
                    throw Malformed("the atom is truncated", pos);
                }

                var tagAt = pos;
                var tag = data[pos++];
                switch (tag)
                {
                    case <= EncodingTags.MaxShortArity or EncodingTags.LongArity:
                        var arity = tag == EncodingTags.LongArity ? ReadExtension(data, ref pos) : tag;
                        if (arity > data.Length - pos)
                        {
                            throw Malformed($"an expression of {arity} children cannot fit in the {data.Length - pos} bytes left", tagAt);
                        }

                        visitor.BeginExpression(arity);
                        if (arity > 0)
                        {
                            if (depth == remaining.Length)
                            {
                                var larger = ArrayPool<int>.Shared.Rent(depth * 2);
                                remaining[..depth].CopyTo(larger);
                                if (rented is not null)
                                {
                                    ArrayPool<int>.Shared.Return(rented);
                                }

                                remaining = rented = larger;
                            }

                            remaining[depth++] = arity;
                            continue;
                        }

                        visitor.EndExpression();
                        break;
                    case EncodingTags.LongSymbol or > EncodingTags.SymbolBase:
                        var length = tag == EncodingTags.LongSymbol ? ReadExtension(data, ref pos, emptyAllowed: true) : tag & 0x3F;
                        if (length > data.Length - pos)
                        {
                            throw Malformed($"a token of {length} bytes is cut off", tagAt);
                        }

                        var token = data.Slice(pos, length);
                        visitor.Token(token);
                        pos += length;
                        break;
                    case EncodingTags.NewVar:
                        visitor.NewVariable(variables++);
                        break;
                    case EncodingTags.LongVarRef or (>= EncodingTags.VarRefBase and < EncodingTags.NewVar):
                        var index = tag == EncodingTags.LongVarRef ? ReadExtension(data, ref pos) : tag & 0x3F;
                        if (index >= variables)
                        {
                            throw Malformed($"reference to variable {index}, but only {variables} introduced", tagAt);
                        }

                        visitor.VariableReference(index);
                        break;
                    default:
                        throw Malformed($"unknown tag 0x{tag:X2}", tagAt);
                }

                // One item is complete: close every expression it completes.
                while (true)
                {
                    if (depth == 0)
                    {
                        return pos;
                    }

                    if (--remaining[depth - 1] > 0)
                    {
                        break;
                    }

                    depth--;
                    visitor.EndExpression();
                }
            }

            // Positions in messages are relative to the batch the caller gave.
            MalformedEncodingException Malformed(string message, int at) => new(message, at + reportBase);

            // A long form's value: 64 or more, or 0 for a symbol (the empty symbol, whose short tag would be NewVar).
            int ReadExtension(ReadOnlySpan<byte> bytes, ref int at, bool emptyAllowed = false)
            {
                var start = at - 1;
                uint value = 0;
                for (var shift = 0; ; shift += 7)
                {
                    if (at >= bytes.Length)
                    {
                        throw Malformed("a length is truncated", start);
                    }

                    var b = bytes[at++];
                    if (shift == 28 && b > 0x07)
                    {
                        throw Malformed("a length exceeds 2^31 - 1", start);
                    }

                    value |= (uint)(b & 0x7F) << shift;
                    if (b < 0x80)
                    {
                        if (b == 0 && shift > 0)
                        {
                            throw Malformed("a length is not in its shortest form", start);
                        }

                        break;
                    }
                }

                if (value <= 63 && !(emptyAllowed && value == 0))
                {
                    throw Malformed($"the long form is used for {value}, which has a short form", start);
                }

                return (int)value;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private interface IDecodeVisitor
    {
        void BeginExpression(int arity);

        void EndExpression();

        /// <summary>A token (a visitor that needs to know what it stands for classifies it: validating does not).</summary>
        void Token(ReadOnlySpan<byte> token);

        void NewVariable(int index);

        void VariableReference(int index);
    }

    private readonly struct ValidatingVisitor : IDecodeVisitor
    {
        public void BeginExpression(int arity)
        {
        }

        public void EndExpression()
        {
        }

        public void Token(ReadOnlySpan<byte> token)
        {
        }

        public void NewVariable(int index)
        {
        }

        public void VariableReference(int index)
        {
        }
    }

    private struct ExcerptVisitor(StringBuilder text) : IDecodeVisitor
    {
        private bool _first = true;

        public readonly StringBuilder Text => text;

        public void BeginExpression(int arity)
        {
            Item("(");
            _first = true;
        }

        public void EndExpression()
        {
            if (text.Length <= ExcerptChars)
            {
                text.Append(')');
            }

            _first = false;
        }

        public void Token(ReadOnlySpan<byte> token) =>
            Item(token.Length <= ExcerptTokenBytes ? Encoding.UTF8.GetString(token) : Encoding.UTF8.GetString(token[..ExcerptTokenBytes]) + "…");

        public void NewVariable(int index) => Item($"$x{index}");

        public void VariableReference(int index) => Item($"$x{index}");

        private void Item(string item)
        {
            if (text.Length > ExcerptChars)
            {
                return;
            }

            if (!_first)
            {
                text.Append(' ');
            }

            text.Append(item);
            _first = false;
            if (text.Length > ExcerptChars)
            {
                text.Append('…');
            }
        }
    }

    private readonly struct BuildingVisitor(AtomBuilder builder, string? variableSuffix = null) : IDecodeVisitor
    {
        public AtomBuilder Builder { get; } = builder;

        public void BeginExpression(int arity) => Builder.BeginExpression();

        public void EndExpression() => Builder.EndExpression();

        public void Token(ReadOnlySpan<byte> token)
        {
            if (WordClassifier.ClassifyToken(token) is { } word)
            {
                Builder.AddToken(token, word);
                return;
            }

            Builder.Add(StringAtom.FromCanonicalToken(token));
        }

        public void NewVariable(int index) => Builder.Add(VariableName(index));

        public void VariableReference(int index) => Builder.Add(VariableName(index));

        private VariableAtom VariableName(int index) => variableSuffix is not null
            ? VariableAtom.FromValidatedUtf8(Encoding.ASCII.GetBytes($"x{index}{variableSuffix}"))
            : index < DecodedVariableNames.Length
                ? DecodedVariableNames[index]
                : VariableAtom.FromValidatedUtf8(Encoding.ASCII.GetBytes($"x{index}"));
    }
}
