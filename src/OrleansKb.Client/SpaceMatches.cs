using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Client;

/// <summary>
/// The pages of a space's matches. The next page is asked for before the caller gets the current one,
/// so the space finds it while the caller reads this one (one page ahead, no more); the match is
/// closed in the space if the caller stops early. On a divided space, a pattern is matched in the
/// partitions that can hold what it matches (<see cref="SpaceRouting.PartitionsForAsync"/>), one
/// after the other in key order, under one limit; a conjunction is joined by a coordinator in the
/// silo (<see cref="IJoinGrain"/>, one per match, made by <paramref name="newJoin"/>).
/// </summary>
internal sealed class SpaceMatches(SpaceCalls calls, SpaceRouting routing, Func<IJoinGrain> newJoin)
{
    /// <summary>
    /// The pages of a match of <paramref name="pattern"/>, each solution's <paramref name="template"/>
    /// instantiated — or only counted, without a template; <paramref name="forTransform"/> when a
    /// transform reads them (<see cref="MatchRequest.ForTransform"/>).
    /// </summary>
    public async IAsyncEnumerable<MatchPage> PagesAsync(Atom pattern, Atom? template, long limit, [EnumeratorCancellation] CancellationToken cancellationToken, bool forTransform = false)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var query = template is null
            ? new MatchQuery(EncodedBatches.One(pattern), ReadOnlyMemory<byte>.Empty)
            : Shared(AtomEncoder.EncodeSharingVariables(pattern, template, SpaceLimits.MaxAtomBytes));

        if (Spaces.Conjunct.IsConjunction(pattern) && (await routing.CurrentAsync(cancellationToken).ConfigureAwait(false)).Map.Count > 1)
        {
            var join = newJoin();
            var first = await calls.Call(join.Open(calls.Grain.GetGrainId(), query, MatchRequest.UpTo(limit, forTransform)), cancellationToken).ConfigureAwait(false);
            await foreach (var joined in PagesFromAsync(first, _ => join.Next(), _ => join.Close(), cancellationToken).ConfigureAwait(false))
            {
                yield return joined;
            }

            yield break;
        }

        // The first page is asked for by the map read anew if a partition refuses the call for its map.
        var (routes, partitions, page) = await routing.ReadAsync(
            async routes =>
            {
                var partitions = await routing.PartitionsForAsync(routes, query.Pattern, cancellationToken).ConfigureAwait(false);
                return (routes, partitions, partitions.Count == 0
                    ? new MatchPage(MatchId.None, AtomBatch.Empty, 0)
                    : await routing.Call(routes, partitions[0], grain => grain.MatchOpen(query, MatchRequest.UpTo(limit, forTransform)), cancellationToken).ConfigureAwait(false));
            },
            cancellationToken).ConfigureAwait(false);

        if (partitions.Count == 0)
        {
            // No partition holds the argument the pattern is looked up by.
            yield return page;
            yield break;
        }

        for (var (index, left) = (0, limit); ;)
        {
            var grain = routes.Grains[partitions[index]];
            await foreach (var next in PagesFromAsync(page, grain.MatchNext, grain.MatchClose, cancellationToken).ConfigureAwait(false))
            {
                left -= next.Solutions;
                yield return next;
            }

            if (++index == partitions.Count || left == 0)
            {
                yield break;
            }

            page = await routing.Call(routes, partitions[index], grain => grain.MatchOpen(query, MatchRequest.UpTo(left, forTransform)), cancellationToken).ConfigureAwait(false);
        }

        static MatchQuery Shared((byte[] Pattern, byte[] Template) encoded) => new(encoded.Pattern, encoded.Template);
    }

    /// <summary>
    /// The pages of the join of <paramref name="conjunction"/> under <paramref name="rows"/> (at most a
    /// message's, <see cref="IJoinGrain.OpenUnder"/>), each solution's <paramref name="template"/>
    /// instantiated: through a join coordinator whatever the space's partitions; a transform's read
    /// (<see cref="MatchRequest.ForTransform"/>), as only a transform joins under rows.
    /// </summary>
    public async IAsyncEnumerable<MatchPage> PagesUnderAsync(Atom conjunction, Atom template, AtomBatch rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (pattern, encodedTemplate) = AtomEncoder.EncodeSharingVariables(conjunction, template, SpaceLimits.MaxAtomBytes);
        var join = newJoin();
        var first = await calls.Call(join.OpenUnder(calls.Grain.GetGrainId(), new MatchQuery(pattern, encodedTemplate), rows, MatchRequest.UpTo(forTransform: true)), cancellationToken).ConfigureAwait(false);
        await foreach (var joined in PagesFromAsync(first, _ => join.Next(), _ => join.Close(), cancellationToken).ConfigureAwait(false))
        {
            yield return joined;
        }
    }

    /// <summary>The pages of one match from its first, <paramref name="page"/>, asking one page ahead; closed where it runs if left early.</summary>
    private async IAsyncEnumerable<MatchPage> PagesFromAsync(
        MatchPage page, Func<MatchId, Task<MatchPage>> next, Func<MatchId, Task> close, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Task<MatchPage>? ahead = null;
        try
        {
            while (true)
            {
                ahead = page.Finished ? null : next(page.Match);
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
                        fetched => fetched.IsCompletedSuccessfully && fetched.Result.Finished ? Task.CompletedTask : close(match),
                        TaskScheduler.Default)
                    .Unwrap()
                    .ContinueWith(closed => (closed.Exception, ahead?.Exception), TaskScheduler.Default);
            }
        }
    }
}
