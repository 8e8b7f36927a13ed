namespace OrleansKb.Http;

/// <summary>
/// The body of <c>POST /spaces/{space}/match</c>: a pattern and a template in MeTTa text, at most
/// <see cref="Limit"/> solutions; with <see cref="Count"/> only their number is answered (the template may be left out).
/// </summary>
public sealed record MatchBody(string Pattern, string? Template = null, long? Limit = null, bool Count = false);
