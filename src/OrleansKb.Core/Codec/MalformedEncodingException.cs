namespace OrleansKb.Codec;

/// <summary>Encoded atom bytes that are truncated, corrupted or not in canonical form.</summary>
public sealed class MalformedEncodingException : FormatException
{
    /// <summary>The encoding is wrong at byte <paramref name="offset"/>, as <paramref name="message"/> says.</summary>
    public MalformedEncodingException(string message, int offset)
        : base($"malformed encoded atom at byte {offset}: {message}") => Offset = offset;

    /// <summary>The offset of the offending byte in the input given to the decoder.</summary>
    public int Offset { get; }
}
