using System.Buffers;
using System.Text;
using OrleansKb.Atoms;

namespace OrleansKb.Text;

/// <summary>
/// Writes atoms in canonical MeTTa text (docs/metta-text.md): tokens in canonical form, one space between
/// children, variables as <c>$name</c>. Reading the output gives back an equal atom. No recursion.
/// </summary>
public static class MettaPrinter
{
    /// <summary>The atom's canonical text.</summary>
    public static string Print(Atom atom)
    {
        var output = new ArrayBufferWriter<byte>(64);
        Write(atom, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Writes the atom's canonical text, then a newline.</summary>
    public static void WriteLine(Atom atom, IBufferWriter<byte> output)
    {
        Write(atom, output);
        Put(output, (byte)'\n');
    }

    /// <summary>Writes the atom's canonical text as UTF-8.</summary>
    public static void Write(Atom atom, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(atom);
        ArgumentNullException.ThrowIfNull(output);
        if (atom is not ExpressionAtom root)
        {
            WriteLeaf(atom, output);
            return;
        }

        Put(output, (byte)'(');
        var stack = default(ExpressionCursorStack);
        stack.Push(root);
        var firstChild = true;
        while (true)
        {
            var more = stack.TryNextChild(out var child, out var closed);
            for (var i = 0; i < closed; i++)
            {
                Put(output, (byte)')');
                firstChild = false;
            }

            if (!more)
            {
                return;
            }

            if (!firstChild)
            {
                Put(output, (byte)' ');
            }

            if (child is ExpressionAtom expression)
            {
                Put(output, (byte)'(');
                stack.Push(expression);
                firstChild = true;
            }
            else
            {
                WriteLeaf(child, output);
                firstChild = false;
            }
        }
    }

    private static void WriteLeaf(Atom atom, IBufferWriter<byte> output)
    {
        if (atom is TokenAtom token)
        {
            output.Write(token.CanonicalUtf8);
            return;
        }

        Put(output, (byte)'$');
        output.Write(((VariableAtom)atom).NameUtf8);
    }

    private static void Put(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
