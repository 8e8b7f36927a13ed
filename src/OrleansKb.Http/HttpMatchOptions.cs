namespace OrleansKb.Http;

/// <summary>
/// How long one match request over HTTP may run and how much its answer may hold (docs/http.md,
/// "Settings"), bound from the section <c>HttpMatch</c> (e.g. <c>ORLEANSKB_HttpMatch__MaxSeconds=60</c>).
/// The silo's match budget (<c>Match:MaxSeconds</c>) counts the space's computing only: a client that
/// reads slowly, or an answer of gigabytes, would otherwise hold a request open for as long as it likes.
/// </summary>
public sealed class HttpMatchOptions
{
    /// <summary>The longest one match (or count) request may run, from the start of the match to its last line.</summary>
    public double MaxSeconds { get; set; } = 120;

    /// <summary>The most bytes one match answer may send.</summary>
    public long MaxBytes { get; set; } = 1L << 30;
}
