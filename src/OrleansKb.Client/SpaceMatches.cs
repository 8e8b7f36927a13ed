using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Client;

/// <summary>
/// The pages of a space's matches. The next page is asked for before the caller gets the current one,
/// so the space finds it while the caller reads this one (one page ahead, no more); the match is
/// closed in the space if the caller stops early.
/// </summary>
internal sealed class SpaceMatches(SpaceCalls calls)
{
    /// <summary>The pages of a match of <paramref name="pattern"/>, each solution's <paramref name="template"/> instantiated — or only counted, without a template.</summary>
    public async IAsyncEnumerable<MatchPage> PagesAsync(Atom pattern, Atom? template, long limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var query = template is null
            ? new MatchQuery(EncodedBatches.One(pattern), ReadOnlyMemory<byte>.Empty)
            : Shared(AtomEncoder.EncodeSharingVariables(pattern, template, SpaceLimits.MaxAtomBytes));
        var grain = calls.Grain;
        var page = await calls.Call(grain.MatchOpen(query, MatchRequest.UpTo(limit)), cancellationToken).ConfigureAwait(false);
        Task<MatchPage>? ahead = null;
        try
        {
            while (true)
            {
                ahead = page.Finished ? null : grain.MatchNext(page.Match);
                yield return page;
                if (ahead is null)
                {
                    yield break;
                }

                page = await calls.Call(ahead, cancellationToken).ConfigureAwait(false);
                ahead = null;
            }
        }
        finally
        {
            if (!page.Finished)
            {
                // Stopped early: free the match in the space now rather than when it times out, after
                // the page asked for ahead (if any) has come. Not awaited: a lost connection must not
                // hold up the caller, who is already leaving.
                var match = page.Match;
                _ = (ahead ?? Task.FromResult(page)).ContinueWith(
                        fetched => fetched.IsCompletedSuccessfully && fetched.Result.Finished ? Task.CompletedTask : grain.MatchClose(match),
                        TaskScheduler.Default)
                    .Unwrap()
                    .ContinueWith(closed => (closed.Exception, ahead?.Exception), TaskScheduler.Default);
            }
        }

        static MatchQuery Shared((byte[] Pattern, byte[] Template) encoded) => new(encoded.Pattern, encoded.Template);
    }
}
