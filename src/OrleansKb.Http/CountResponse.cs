namespace OrleansKb.Http;

/// <summary>What a counting match answers: the number of solutions (at most its limit).</summary>
public sealed record CountResponse(long Count);
