using OrleansKb.Atoms;

namespace OrleansKb.Codec;

/// <summary>Encodes atom objects to the binary key format (docs/encoding.md).</summary>
public static class AtomEncoder
{
    [ThreadStatic]
    private static EncodedAtomWriter? s_scratch;

    [ThreadStatic]
    private static (ExpressionAtom, int)[]? s_frames;

    /// <summary>The encoding of one atom. Alpha-equivalent atoms give the same bytes.</summary>
    public static byte[] Encode(Atom atom)
    {
        var writer = s_scratch ??= new EncodedAtomWriter(256);
        writer.Clear();
        Append(atom, writer);
        return writer.ToArray();
    }

    /// <summary>Appends the encoding of <paramref name="atom"/> to <paramref name="writer"/>.</summary>
    public static void Append(Atom atom, EncodedAtomWriter writer)
    {
        ArgumentNullException.ThrowIfNull(atom);
        ArgumentNullException.ThrowIfNull(writer);
        writer.BeginAtom();
        if (atom is not ExpressionAtom root)
        {
            WriteLeaf(atom, writer);
            writer.EndAtom();
            return;
        }

        // Prefix order without recursion: each open expression and the index of its next child.
        writer.WriteArity(root.Count);
        var stack = new ExpressionCursorStack(s_frames);
        stack.Push(root);
        while (stack.TryNextChild(out var child))
        {
            if (child is ExpressionAtom expression)
            {
                writer.WriteArity(expression.Count);
                stack.Push(expression);
            }
            else
            {
                WriteLeaf(child, writer);
            }
        }

        s_frames = stack.Frames;
        writer.EndAtom();
    }

    private static void WriteLeaf(Atom atom, EncodedAtomWriter writer)
    {
        if (atom is TokenAtom token)
        {
            writer.WriteToken(token.CanonicalUtf8);
        }
        else
        {
            writer.WriteVariable(((VariableAtom)atom).NameUtf8);
        }
    }
}
