namespace OrleansKb.Http;

/// <summary>What <c>POST /spaces/{space}/atoms:remove</c> answers: how many of the body's atoms were in the space.</summary>
public sealed record RemoveResponse(long Removed);
