using System.Runtime.CompilerServices;
using OrleansKb.Atoms;

namespace OrleansKb.Codec;

/// <summary>Encodes atom objects to the binary key format (docs/encoding.md).</summary>
public static class AtomEncoder
{
    [ThreadStatic]
    private static EncodedAtomWriter? s_scratch;

    /// <summary>The encoding of one atom. Alpha-equivalent atoms give the same bytes.</summary>
    public static byte[] Encode(Atom atom)
    {
        var writer = s_scratch ??= new EncodedAtomWriter(256);
        writer.Clear();
        Append(atom, writer);
        return writer.ToArray();
    }

    /// <summary>
    /// Encodes two atoms with one numbering of variables: the second's continue the first's, so a
    /// variable both use is one variable (a pattern and its template: docs/encoding.md). The second's
    /// bytes alone are not an atom; <see cref="AtomDecoder.DecodeSharingVariables"/> reads the two back.
    /// </summary>
    /// <exception cref="OversizedAtomException">The two together encode to more than <paramref name="atomLimit"/> bytes.</exception>
    public static (byte[] First, byte[] Second) EncodeSharingVariables(Atom first, Atom second, int atomLimit = int.MaxValue)
    {
        // Encoded as the expression (first second), whose arity tag is one byte: the children follow it.
        var pair = new EncodedAtomWriter(256) { AtomLimit = atomLimit };
        Append(Atom.Expression(first, second), pair);
        var bytes = pair.WrittenSpan;
        var firstEnd = 1 + AtomDecoder.Measure(bytes[1..]);
        return (bytes[1..firstEnd].ToArray(), bytes[firstEnd..].ToArray());
    }

    /// <summary>Appends the encoding of <paramref name="atom"/> to <paramref name="writer"/>.</summary>
    public static void Append(Atom atom, EncodedAtomWriter writer)
    {
        ArgumentNullException.ThrowIfNull(atom);
        ArgumentNullException.ThrowIfNull(writer);
        writer.BeginAtom();

        // Prefix order without recursion: a stack of (expression, index of its next child), kept by
        // the writer so that encoding allocates nothing. The kind is checked once per atom, so the
        // casts below are exact.
        var frames = writer.EncoderFrames;
        var depth = 0;
        var current = atom;
        while (true)
        {
            switch (current.Kind)
            {
                case AtomKind.Expression:
                    var expression = Unsafe.As<ExpressionAtom>(current);
                    writer.WriteArity(expression.Count);
                    if (expression.Count > 0)
                    {
                        if (depth == frames.Length)
                        {
                            Array.Resize(ref frames, depth * 2);
                            writer.EncoderFrames = frames;
                        }

                        frames[depth++] = (expression.ChildArray, 0);
                    }

                    break;
                case AtomKind.Variable:
                    writer.WriteVariable(Unsafe.As<VariableAtom>(current).NameUtf8);
                    break;
                default:
                    writer.WriteToken(Unsafe.As<TokenAtom>(current).CanonicalUtf8);
                    break;
            }

            while (true)
            {
                if (depth == 0)
                {
                    writer.EndAtom();
                    return;
                }

                ref var top = ref frames[depth - 1];
                if (top.Next < top.Children.Length)
                {
                    current = top.Children[top.Next++];
                    break;
                }

                top = default;
                depth--;
            }
        }
    }
}
