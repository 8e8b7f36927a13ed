using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Tests;
using OrleansKb.Text;

namespace OrleansKb.Cluster.Tests;

/// <summary>
/// A match runs in the grain only as its client pulls pages (docs/matching.md, "Through the
/// cluster"): bounded pages, counting without results, a budget, cursors closed when the client stops
/// or goes away, and other calls served between pages.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class MatchPagingTests(ClusterFixture fixture)
{
    // About ten billion solutions on royal92_simple: 2,810 × 2,810 × 1,311.
    private static readonly Atom Runaway = One("(, (parent $a $b) (parent $c $d) (female $e))");
    private static readonly Atom RunawayTemplate = One("(x $a $b $c $d $e)");

    private static Atom One(string text) => Assert.Single(MettaReader.Parse(text));

    private async Task<KbSpace> Royal92Simple()
    {
        var space = fixture.NewSpace();
        await space.LoadAsync(LoadSource.File(TestData.PathOf("aunt-kg/royal92_simple.metta")));
        return space;
    }

    [Fact]
    public async Task A_runaway_match_streams_pages_and_is_closed_when_the_caller_stops_reading()
    {
        var space = await Royal92Simple();
        long read = 0;

        await foreach (var result in space.MatchAsync(Runaway, RunawayTemplate))
        {
            Assert.Equal(6, ((ExpressionAtom)result).Count);
            if (++read == 200_000)
            {
                break;
            }
        }

        Assert.True(await Poll.Until(async () => (await space.InfoAsync()).OpenMatches == 0, ClusterFixture.IdleSeconds / 2), "the match was not closed");
        Assert.Equal(11_809, await space.CountAsync());
    }

    [Fact]
    public async Task Count_counts_without_sending_results_and_honours_the_limit()
    {
        var space = await Royal92Simple();

        Assert.Equal(2810, await space.MatchCountAsync(One("(parent $p $x)")));
        Assert.Equal(1_234_567, await space.MatchCountAsync(Runaway, limit: 1_234_567));
        Assert.Equal(0, await space.MatchCountAsync(Runaway, limit: 0));
        Assert.Equal(5, await space.MatchAsync(Runaway, RunawayTemplate, limit: 5).CountAsync());
    }

    [Fact]
    public async Task A_match_past_the_budget_stops_with_a_clear_error_and_frees_its_cursor()
    {
        var space = await Royal92Simple();

        var error = await Assert.ThrowsAsync<MatchFailedException>(() => space.MatchCountAsync(Runaway));

        Assert.Contains($"more than {ClusterFixture.MaxSolutions:N0} solutions", error.Message, StringComparison.Ordinal);
        Assert.Contains("Match:MaxSolutions", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await space.InfoAsync()).OpenMatches);
    }

    [Fact]
    public async Task A_cancelled_match_is_closed_in_the_space()
    {
        var space = await Royal92Simple();
        using var cancel = new CancellationTokenSource();
        long read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in space.MatchAsync(Runaway, RunawayTemplate, cancellationToken: cancel.Token))
            {
                if (++read == 1000)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.True(await Poll.Until(async () => (await space.InfoAsync()).OpenMatches == 0, ClusterFixture.IdleSeconds / 2), "the match was not closed");
    }

    [Fact]
    public async Task A_match_nobody_asks_about_is_closed_after_the_idle_timeout()
    {
        var space = await Royal92Simple();
        var grain = fixture.Grain(space);
        var (pattern, template) = AtomEncoder.EncodeSharingVariables(Runaway, RunawayTemplate);
        var query = new MatchQuery(pattern, template);

        var first = await grain.MatchOpen(query, MatchRequest.UpTo());
        Assert.False(first.Finished);
        Assert.Equal(1, (await space.InfoAsync()).OpenMatches);

        Assert.True(await Poll.Until(async () => (await space.InfoAsync()).OpenMatches == 0, seconds: 4 * ClusterFixture.IdleSeconds), "the idle match was not closed");
        var error = await Assert.ThrowsAsync<MatchFailedException>(() => grain.MatchNext(first.Match));
        Assert.Contains("is not open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_space_refuses_more_open_matches_than_it_allows()
    {
        var space = await Royal92Simple();
        var grain = fixture.Grain(space);
        var query = new MatchQuery(AtomEncoder.Encode(Runaway), ReadOnlyMemory<byte>.Empty);
        var open = new List<MatchId>();
        for (var i = 0; i < ClusterFixture.MaxOpenPerSpace; i++)
        {
            open.Add((await grain.MatchOpen(query, MatchRequest.UpTo())).Match);
        }

        var error = await Assert.ThrowsAsync<MatchFailedException>(() => grain.MatchOpen(query, MatchRequest.UpTo()));
        Assert.Contains("Match:MaxOpenPerSpace", error.Message, StringComparison.Ordinal);

        foreach (var match in open)
        {
            await grain.MatchClose(match);
        }

        Assert.Equal(0, (await space.InfoAsync()).OpenMatches);
        Assert.Equal(2810, await space.MatchCountAsync(One("(parent $p $x)")));
    }

    [Fact]
    public async Task Changes_between_pages_are_served_and_a_match_gives_every_atom_present_all_along_once()
    {
        var space = fixture.NewSpace();
        var grain = fixture.Grain(space);
        await space.AddFactsAsync(Enumerable.Range(0, 20_000).Select(i => Atom.Expression(Atom.Symbol("item"), Atom.Integer(i))));
        var (pattern, template) = AtomEncoder.EncodeSharingVariables(MettaReader.Parse("(item $x)")[0], MettaReader.Parse("$x")[0]);
        var query = new MatchQuery(pattern, template);

        // Small pages: the match is open across many turns.
        var page = await grain.MatchOpen(query, new MatchRequest(long.MaxValue, PageBytes: 1024));
        var seen = new List<long>();
        var removed = new HashSet<long>();
        var added = new HashSet<long>();
        var random = new Random(11);
        for (var turns = 0; turns < 100_000; turns++)
        {
            seen.AddRange(AtomDecoder.DecodeAll(page.Results.Bytes.Span).Select(a => ((IntegerAtom)a).Value));
            if (page.Finished)
            {
                break;
            }

            // Between pages, other calls are served: adds, removes, counts.
            var victim = random.Next(20_000);
            if (await space.RemoveAsync([Atom.Expression(Atom.Symbol("item"), Atom.Integer(victim))]) == 1)
            {
                removed.Add(victim);
            }

            var fresh = 20_000 + random.Next(20_000);
            if (await space.AddFactsAsync([Atom.Expression(Atom.Symbol("item"), Atom.Integer(fresh))]) == 1)
            {
                added.Add(fresh);
            }

            Assert.Equal(20_000 - removed.Count + added.Count, await space.CountAsync());
            page = await grain.MatchNext(page.Match);
        }

        Assert.True(page.Finished);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var stable = Enumerable.Range(0, 20_000).Where(i => !removed.Contains(i)).Select(i => (long)i).ToHashSet();
        Assert.Subset(seen.ToHashSet(), stable);
        Assert.All(seen, x => Assert.True(x < 20_000 || added.Contains(x), $"{x} was never in the space"));
        Assert.NotEmpty(removed);
    }
}
