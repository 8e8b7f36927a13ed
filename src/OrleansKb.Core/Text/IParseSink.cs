namespace OrleansKb.Text;

/// <summary>
/// Receives one top-level atom from the reader as prefix-order events. The reader is generic over
/// its sink (a struct), so each output — atom objects or encoded bytes — gets its own inlined copy
/// of the parse loop.
/// </summary>
internal interface IParseSink
{
    void BeginAtom();

    void EndAtom();

    /// <summary>Forgets the atom begun: the reader needs more input, or found an error.</summary>
    void AbortAtom();

    void BeginExpression();

    void EndExpression();

    /// <summary>A word: symbol, integer, double or boolean, already classified and checked.</summary>
    void Word(ReadOnlySpan<byte> word, WordKind kind);

    void Variable(ReadOnlySpan<byte> name);

    /// <summary>A string: its unescaped value, and its token as read when that is already canonical (else empty).</summary>
    void String(ReadOnlySpan<byte> valueUtf8, ReadOnlySpan<byte> canonicalToken);
}
