using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>The matches open on a space (<see cref="MatchSessions"/>), run a page per request, without a cluster.</summary>
public sealed class MatchSessionsTests
{
    private readonly ManualTime _time = new();

    private static Atom One(string text) => Assert.Single(MettaReader.Parse(text));

    private MatchSessions Sessions(int facts, long maxSolutions = 1_000_000, int maxOpen = 4, int maxResultBytes = 1 << 20)
    {
        var space = new AtomSpace();
        space.AddFacts(MettaReader.Parse(string.Join(' ', Enumerable.Range(0, facts).Select(i => $"(parent P{i} Bob)"))));
        var limits = new MatchSessionLimits(new MatchBudget(maxSolutions, TimeSpan.FromMinutes(1)), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), maxOpen, maxResultBytes);
        return new MatchSessions("space", space, limits, _time);
    }

    [Fact]
    public void A_match_runs_a_page_per_request_and_closes_itself_once_finished()
    {
        var sessions = Sessions(1000);

        var page = sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1024);
        var results = AtomDecoder.DecodeAll(page.Results.Span).Count;
        var pages = 1;
        while (page.Id != 0)
        {
            Assert.Equal(1, sessions.Count);
            page = sessions.Next(page.Id);
            results += AtomDecoder.DecodeAll(page.Results.Span).Count;
            pages++;
        }

        Assert.Equal(1000, results);
        Assert.InRange(pages, 3, 1000);
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public void A_count_carries_no_results()
    {
        var page = Sessions(300).Open(One("(parent $p Bob)"), template: null, long.MaxValue, pageBytes: 1024);

        Assert.Equal((0L, 300L, 0), (page.Id, page.Solutions, page.ResultCount));
    }

    [Fact]
    public void A_space_refuses_more_open_matches_than_it_allows_naming_the_setting()
    {
        var sessions = Sessions(1000, maxOpen: 2);
        sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1024);
        sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1024);

        var error = Assert.Throws<MatchStoppedException>(() => sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1024));

        Assert.Equal("space 'space' already has 2 matches open, the most it allows (Match:MaxOpenPerSpace); finish or cancel one, or wait: one left without requests closes after 60 s", error.Message);
    }

    [Fact]
    public void A_match_nobody_asks_about_is_closed_once_idle_and_then_is_not_open()
    {
        var sessions = Sessions(1000);
        var first = sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1024);
        _time.Advance(TimeSpan.FromSeconds(30));
        var second = sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1024);

        _time.Advance(TimeSpan.FromSeconds(31));
        sessions.CloseIdle();

        Assert.Equal(1, sessions.Count);
        Assert.NotEqual(0, sessions.Next(second.Id).Id);
        var error = Assert.Throws<MatchStoppedException>(() => sessions.Next(first.Id));
        Assert.Equal($"match {first.Id} is not open on space 'space': it has finished, was cancelled, or waited more than 60 s (Match:IdleSeconds) for its next page request", error.Message);
    }

    [Fact]
    public void A_match_past_its_budget_gives_what_it_found_then_fails_naming_the_budget()
    {
        var sessions = Sessions(1000, maxSolutions: 100);

        var page = sessions.Open(One("(parent $p Bob)"), One("$p"), long.MaxValue, pageBytes: 1 << 20);

        Assert.Equal(100, page.Solutions);
        var error = Assert.Throws<MatchStoppedException>(() => sessions.Next(page.Id));
        Assert.Contains("raise the silo's budget (Match:MaxSolutions, Match:MaxSeconds)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public void A_result_larger_than_a_page_may_carry_stops_the_match_and_closes_it()
    {
        var sessions = Sessions(10, maxResultBytes: 64);

        var error = Assert.Throws<MatchStoppedException>(() => sessions.Open(One("(parent $p Bob)"), One($"(r $p \"{new string('x', 100)}\")"), long.MaxValue, pageBytes: 1024));

        Assert.StartsWith("space 'space': the match stopped at a result too large to send: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sessions.Count);

        // The result is named by an excerpt, its tokens cut short.
        Assert.Matches("too large to send: \\(r P\\d+ \"x{23}…\\) encodes to 1\\d\\d bytes, more than 64, the limit for one atom$", error.Message);
    }
}
