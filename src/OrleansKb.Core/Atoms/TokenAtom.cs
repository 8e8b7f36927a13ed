namespace OrleansKb.Atoms;

/// <summary>
/// A symbol, string, number or boolean: an atom that is one token of text. It keeps its canonical
/// token as UTF-8, which is both what the printer writes and what the encoder stores, so equality
/// is a byte comparison and encoding is a copy.
/// </summary>
public abstract class TokenAtom : Atom
{
    private readonly byte[] _token;

    private protected TokenAtom(AtomKind kind, byte[] token)
        : base(kind, HashCode.Combine(kind, TokenHash(token))) => _token = token;

    /// <summary>The canonical token text as UTF-8 (strings with their quotes, numbers in canonical form).</summary>
    public ReadOnlySpan<byte> CanonicalUtf8 => _token;

    internal sealed override bool LeafEquals(Atom other) => _token.AsSpan().SequenceEqual(((TokenAtom)other)._token);

    internal static int TokenHash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
