namespace OrleansKb.Spaces;

/// <summary>A match between two page requests (<see cref="MatchSessions"/>).</summary>
internal sealed class MatchSession(long id, MatchCursor run, bool countOnly, int pageBytes, long lastRequest)
{
    public long Id { get; } = id;

    public MatchCursor Run { get; } = run;

    /// <summary>Whether the match only counts its solutions (it has no template).</summary>
    public bool CountOnly { get; } = countOnly;

    public int PageBytes { get; } = pageBytes;

    /// <summary>When its last page was asked for (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastRequest { get; set; } = lastRequest;

    /// <summary>How many bytes of results the last page held: the next page's buffer starts that large.</summary>
    public int LastPageBytes { get; set; }

    /// <summary>Why the match stopped part way, told on the request after the page of what it found.</summary>
    public MatchStoppedException? Failure { get; set; }
}
