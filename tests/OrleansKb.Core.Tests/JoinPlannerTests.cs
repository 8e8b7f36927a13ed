using OrleansKb.Atoms;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>The join planner alone: the statistics it gathers and the order it chooses from them.</summary>
public sealed class JoinPlannerTests
{
    private static Atom One(string text) => Assert.Single(MettaReader.Parse(text));

    /// <summary>A pattern with given statistics: N, and D(v) of each variable in the order the walk meets them.</summary>
    private static Conjunct Measured(string pattern, long count, params int[] distinct)
    {
        var conjunct = new Conjunct(One(pattern));
        Assert.Equal(conjunct.Variables.Count, distinct.Length);
        conjunct.CopyStatistics(count, distinct);
        return conjunct;
    }

    private static List<string> Order(List<Conjunct> conjuncts, bool index) =>
        [.. JoinPlanner.Order(conjuncts, index).Select(c => MettaPrinter.Print(c.Pattern))];

    [Fact]
    public void A_filter_with_fewer_rows_than_the_pattern_it_narrows_goes_first()
    {
        // (parent $m $x) first: 1000 rows, then a lookup of (female $m) for each: 2000.
        // (female $m) first: 500 rows, then (parent $m $x) walked along $m, 1000 / 400 keys each: 1750.
        List<Conjunct> conjuncts = [Measured("(parent $m $x)", 1000, 400, 1000), Measured("(female $m)", 500, 500)];

        Assert.Equal(["(female $m)", "(parent $m $x)"], Order(conjuncts, index: false));
        Assert.Equal(["(female $m)", "(parent $m $x)"], Order(conjuncts, index: true));
    }

    [Fact]
    public void A_bound_later_argument_is_cheap_only_while_the_argument_index_can_be_walked()
    {
        // (name $x Bob) first binds $x, the second argument of (parent $p $x): without the index the
        // parent walk enumerates every $p (100 rows x 1000 keys), with it the walk descends along $x.
        List<Conjunct> conjuncts = [Measured("(parent $p $x)", 1000, 400, 900), Measured("(name $x Bob)", 100, 100)];

        Assert.Equal(["(parent $p $x)", "(name $x Bob)"], Order(conjuncts, index: false));
        Assert.Equal(["(name $x Bob)", "(parent $p $x)"], Order(conjuncts, index: true));
    }

    [Fact]
    public void Beyond_seven_patterns_the_order_is_chosen_greedily()
    {
        // Eight patterns are too many to cost every order: the fewest solutions first, then, the
        // rest being equally narrowed by the bound $x, in the written order.
        List<Conjunct> conjuncts = [.. Enumerable.Range(1, 7).Select(i => Measured($"(big{i} $x)", 1000, 1000)), Measured("(small $x)", 1, 1)];

        Assert.Equal(["(small $x)", .. Enumerable.Range(1, 7).Select(i => $"(big{i} $x)")], Order(conjuncts, index: false));
    }

    [Fact]
    public void Planning_matches_each_distinct_pattern_alone_once_and_orders_by_what_it_counted()
    {
        var space = new AtomSpace();
        space.AddFacts(MettaReader.Parse(TestData.ReadText("aunt-kg/toy.metta")));
        List<Conjunct> conjuncts = [new(One("(parent $m $x)")), new(One("(female $m)")), new(One("(parent $a $b)"))];
        var planner = new JoinPlanner(conjuncts);

        var order = space.Step(
            (Planner: planner, Level: new MatchLevel()),
            static (view, plan) =>
            {
                var work = int.MaxValue;
                var renamed = 0;
                return plan.Planner.Plan(ref work, plan.Level, view, ref renamed);
            });

        // Six parents of four distinct parents and five distinct children; four females. The third
        // pattern is the first renamed: its statistics are copied, not counted again.
        Assert.Equal(2, planner.PatternsMatchedAlone);
        Assert.Equal([6L, 4L, 6L], conjuncts.Select(c => c.Count));
        Assert.Equal([4, 5], conjuncts[0].DistinctCounts());
        Assert.Equal([4], conjuncts[1].DistinctCounts());
        Assert.Equal([4, 5], conjuncts[2].DistinctCounts());
        Assert.NotNull(order);
        Assert.Equal(conjuncts[1], order[0]);
    }
}
