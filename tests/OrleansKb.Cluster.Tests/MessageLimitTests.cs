using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Text;

namespace OrleansKb.Cluster.Tests;

/// <summary>
/// No call carries more than a message may (<see cref="SpaceLimits.MaxMessageBytes"/>, 100 MiB), in
/// either direction: what can be larger goes in batches and comes back in pages. (A message over
/// the limit is dropped by Orleans, and the caller would wait for its two-minute timeout.)
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class MessageLimitTests(ClusterFixture fixture)
{
    // Three rules of 36 MiB each: 108 MiB together, more than one message holds.
    private const int BigBytes = 36 << 20;

    private static Atom BigRule(char fill) =>
        Atom.Expression(Atom.Symbol("="), Atom.Expression(Atom.Symbol("big"), Atom.Variable("x")), Atom.String(new string(fill, BigBytes)));

    [Fact]
    public async Task Rules_and_match_results_larger_than_a_message_come_in_pages()
    {
        var space = fixture.NewSpace();
        Atom[] rules = [BigRule('a'), BigRule('b'), BigRule('c')];
        Assert.Equal(3, await space.AddRulesAsync(rules));

        var listed = await space.MatchingRulesAsync("big", 1).ToListAsync();
        var matched = await space.MatchAsync(MettaReader.Parse("(= (big 1) $body)")[0], Atom.Variable("body")).ToListAsync();

        Assert.Equal(rules.Select(r => ((ExpressionAtom)r)[2]), listed.Select(r => ((ExpressionAtom)r)[2]));
        Assert.Equal(rules.Select(r => ((ExpressionAtom)r)[2]), matched);
    }

    [Fact]
    public async Task Remove_and_contains_of_more_than_a_message_go_in_batches()
    {
        var space = fixture.NewSpace();
        var atoms = Enumerable.Range(0, 4).Select(i => (Atom)Atom.Expression(Atom.Integer(i), Atom.String(new string('r', 30 << 20)))).ToList();
        Assert.Equal(4, await space.AddFactsAsync(atoms));

        Assert.True(await space.ContainsAsync(atoms[3]));
        Assert.Equal(4, await space.RemoveAsync(atoms.Append(Atom.Symbol("absent"))));
        Assert.Equal(0, await space.CountAsync());

        // The same client goes on working.
        Assert.Equal(1, await space.AddFactsAsync([Atom.Symbol("after")]));
    }

    [Fact]
    public async Task A_match_result_larger_than_an_atom_may_be_stops_the_match_with_a_clear_error()
    {
        var space = fixture.NewSpace();
        await space.AddFactsAsync([Atom.Expression(Atom.Symbol("big"), Atom.String(new string('s', 40 << 20)))]);

        // ($s $s) would encode to 80 MiB: more than the 64 MiB one atom may have.
        var error = await Assert.ThrowsAsync<MatchFailedException>(async () =>
            await space.MatchAsync(MettaReader.Parse("(big $s)")[0], MettaReader.Parse("($s $s)")[0]).ToListAsync());

        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await space.InfoAsync()).OpenMatches);
        Assert.Equal(1, await space.MatchCountAsync(MettaReader.Parse("(big $s)")[0]));
    }
}
