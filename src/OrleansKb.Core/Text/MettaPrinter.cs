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
    public static void Write(Atom atom, IBufferWriter<byte> output) => Write(atom, output, symbolsAsStrings: false);

    /// <summary>
    /// Writes the atom's text, then a newline, for MeTTa readers other than ours: a symbol that is not a
    /// word is written as a string of its name (a byte that is not UTF-8 becomes U+FFFD), since they
    /// have no <c>#"…"</c>. Returns how many symbols it wrote so: that text no longer reads back as the atom.
    /// </summary>
    public static int WriteLineForOtherReaders(Atom atom, IBufferWriter<byte> output)
    {
        var converted = Write(atom, output, symbolsAsStrings: true);
        Put(output, (byte)'\n');
        return converted;
    }

    private static int Write(Atom atom, IBufferWriter<byte> output, bool symbolsAsStrings)
    {
        ArgumentNullException.ThrowIfNull(atom);
        ArgumentNullException.ThrowIfNull(output);
        if (atom is not ExpressionAtom root)
        {
            return WriteLeaf(atom, output, symbolsAsStrings);
        }

        var converted = 0;

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
                return converted;
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
                converted += WriteLeaf(child, output, symbolsAsStrings);
                firstChild = false;
            }
        }
    }

    /// <summary>Writes a token or variable; returns 1 when it wrote a symbol as a string.</summary>
    private static int WriteLeaf(Atom atom, IBufferWriter<byte> output, bool symbolsAsStrings)
    {
        if (atom is SymbolAtom { IsWord: false } symbol)
        {
            if (!symbolsAsStrings)
            {
                CanonicalText.WriteQuotedSymbol(symbol.CanonicalUtf8, output);
                return 0;
            }

            output.Write(CanonicalText.QuoteString(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(symbol.CanonicalUtf8))));
            return 1;
        }

        if (atom is TokenAtom token)
        {
            output.Write(token.CanonicalUtf8);
            return 0;
        }

        Put(output, (byte)'$');
        output.Write(((VariableAtom)atom).NameUtf8);
        return 0;
    }

    private static void Put(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
