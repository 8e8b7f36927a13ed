using Orleans;

namespace OrleansKb;

/// <summary>
/// An open match of one space, as <see cref="IEnvironmentGrain.MatchOpen"/> names it: the handle to
/// ask for its next page with, or to close it. <see cref="None"/> once the match has finished.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.MatchId")]
public readonly record struct MatchId([property: Id(0)] long Value)
{
    /// <summary>No match: what a finished match's last page carries.</summary>
    public static MatchId None => default;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
