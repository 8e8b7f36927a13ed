namespace OrleansKb.Text;

/// <summary>
/// MeTTa text that does not follow the grammar. <see cref="Exception.Message"/> reads
/// <c>SOURCE:LINE:COLUMN: reason</c> (or <c>line L, column C: reason</c> without a source name);
/// line and column are 1-based, the column counted in characters.
/// </summary>
public sealed class MettaSyntaxException : FormatException
{
    /// <summary>The error <paramref name="reason"/> at <paramref name="line"/> and <paramref name="column"/> of <paramref name="sourceName"/>.</summary>
    public MettaSyntaxException(string reason, long line, long column, string? sourceName)
        : base(sourceName is null ? $"line {line}, column {column}: {reason}" : $"{sourceName}:{line}:{column}: {reason}")
    {
        Reason = reason;
        Line = line;
        Column = column;
        SourceName = sourceName;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the offending character.</summary>
    public long Line { get; }

    /// <summary>The 1-based column (in characters) of the offending character.</summary>
    public long Column { get; }

    /// <summary>The file or other source the text came from, if known.</summary>
    public string? SourceName { get; }
}
