namespace OrleansKb.Tests.Reference;

/// <summary>A syntax error found by <see cref="ReferenceReader"/>, with the 1-based line it is on.</summary>
internal sealed class ReferenceSyntaxException : Exception
{
    public ReferenceSyntaxException(string message, int line)
        : base($"line {line}: {message}")
    {
        Reason = message;
        Line = line;
    }

    /// <summary>The error without the line prefix.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the error (lines are separated by <c>\n</c>).</summary>
    public int Line { get; }
}
