namespace OrleansKb.Spaces;

/// <summary>
/// One page of an open match (<see cref="MatchSessions"/>): the match's id (0 once it has finished
/// and closed), its results encoded back to back (none when it only counts), and the solutions this
/// page found.
/// </summary>
public readonly record struct MatchSessionPage(long Id, ReadOnlyMemory<byte> Results, int ResultCount, long Solutions);
