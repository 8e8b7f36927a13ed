namespace OrleansKb.Http;

/// <summary>
/// The body of <c>POST /spaces/{space}:transform</c>: a pattern and a template in MeTTa text (an atom
/// or <c>(, t1 … tm)</c>, <c>(- t)</c> removing), the space to add to (this one when left out), at
/// most <see cref="Limit"/> solutions a round, and whether to repeat rounds to a fixpoint.
/// </summary>
public sealed record TransformBody(string Pattern, string Template, string? Into = null, long? Limit = null, bool Fixpoint = false, int? MaxRounds = null);
