using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>What an open match of <see cref="MatchSessions"/> runs a slice at a time: one pattern (<see cref="MatchCursor"/>) or many in turn (<see cref="ProbeRun"/>).</summary>
internal interface IMatchRun
{
    /// <summary>Solutions found so far.</summary>
    long Solutions { get; }

    /// <summary>True once every solution has been found (or the limit reached).</summary>
    bool Finished { get; }

    /// <summary>Counts solutions for at most about <paramref name="slice"/>; returns how many this call found.</summary>
    long Count(TimeSpan slice);

    /// <summary>Writes results into <paramref name="results"/> until it holds <paramref name="pageBytes"/> or <paramref name="slice"/> has passed; returns how many solutions this call found.</summary>
    long NextEncoded(EncodedAtomWriter results, int pageBytes, TimeSpan slice);
}
