namespace OrleansKb.Http;

/// <summary>What <c>POST /spaces/{space}/atoms</c> answers: atoms read from the body, how many were new, the space's atoms after, and the seconds it took.</summary>
public sealed record LoadResponse(long AtomsRead, long AtomsAdded, long SpaceAtoms, double Seconds);
