using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Tests.Reference;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Tests;

public sealed class MatcherTests
{
    private static Atom One(string text) => Assert.Single(MettaReader.Parse(text));

    private static AtomSpace Space(string text)
    {
        var environment = new AtomSpace();
        environment.AddFacts(MettaReader.Parse(text));
        return environment;
    }

    private static List<string> Match(AtomSpace environment, string pattern, string template, int limit = int.MaxValue) =>
        [.. environment.Match(One(pattern), One(template), limit).Select(MettaPrinter.Print).Order(StringComparer.Ordinal)];

    /// <summary>The results as a silo sends them (<see cref="MatchCursor.NextEncoded"/>), each as hex, sorted.</summary>
    private static List<string> Encoded(AtomSpace space, Atom pattern, Atom template)
    {
        var cursor = space.OpenMatch(pattern, template);
        var results = new EncodedAtomWriter();
        while (!cursor.Finished)
        {
            cursor.NextEncoded(results, int.MaxValue, TimeSpan.MaxValue);
        }

        return [.. Enumerable.Range(0, results.AtomCount).Select(i => Convert.ToHexString(results.Atom(i))).Order(StringComparer.Ordinal)];
    }

    private static AtomSpace Toy() => Space(TestData.ReadText("aunt-kg/toy.metta"));

    [Fact]
    public void A_stored_lone_variable_matches_a_pattern_looked_up_by_a_later_argument_as_by_its_first()
    {
        // The argument index holds expressions' arguments: the atom $x, which matches anything, is not in it.
        var space = Space("(parent Ann Bob) (parent Bob Tom) $anything");
        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(10)));

        Assert.Equal(["($x0 Tom)", "(Bob Tom)"], Match(space, "(parent $p Tom)", "($p Tom)").Select(Canonical).Order(StringComparer.Ordinal));
        Assert.Equal(["(Bob $x0)", "(Bob Tom)"], Match(space, "(parent Bob $c)", "(Bob $c)").Select(Canonical).Order(StringComparer.Ordinal));
    }

    private static string Canonical(string atom) => MettaPrinter.Print(AtomDecoder.Decode(AtomEncoder.Encode(One(atom))));

    [Fact]
    public void Parents_of_the_toy_genealogy()
    {
        Assert.Equal(
            ["(Ann Bob)", "(Bob Pam)", "(Bob Tom)", "(Jim Pat)", "(Liz Tom)", "(Pat Bob)"],
            Match(Toy(), "(parent $p $x)", "($x $p)"));
    }

    [Fact]
    public void Mothers_sisters_and_aunts_of_the_toy_genealogy()
    {
        var toy = Toy();

        Assert.Equal(["(mother Pam Bob)", "(mother Pat Jim)"], Match(toy, "(, (parent $m $x) (female $m))", "(mother $m $x)"));
        Assert.Equal(
            ["(sister Ann Ann)", "(sister Ann Pat)", "(sister Liz Bob)", "(sister Liz Liz)", "(sister Pat Ann)", "(sister Pat Pat)"],
            Match(toy, "(, (parent $p $x) (parent $p $s) (female $s))", "(sister $s $x)"));
        Assert.Equal(
            ["(aunt Ann Jim)", "(aunt Liz Ann)", "(aunt Liz Pat)", "(aunt Pat Jim)"],
            Match(toy, "(, (parent $p $x) (parent $gp $p) (parent $gp $a) (female $a))", "(aunt $a $x)"));
    }

    [Fact]
    public void Stored_rules_are_found_by_two_way_matching()
    {
        var space = Space("(= (add Z $y) $y) (= (add (S $x) $y) (S (add $x $y))) (= (mul Z $y) Z)");

        var results = space.Match(One("(= (add (S Z) $y) $r)"), One("$r"), int.MaxValue);

        var result = Assert.Single(results);
        Assert.True(Atom.AlphaEquivalent(One("(S (add Z $q))"), result), MettaPrinter.Print(result));
        // (= (add (S $x) $y) (S (add $x $y))) would need $y = (S (add $x $y)): the occurs check refuses it.
        Assert.Equal(["Z"], Match(space, "(= (add $a $b) $b)", "$a"));
    }

    [Fact]
    public void Repeated_variables_heads_and_nesting()
    {
        var space = Space("(edge a a) (edge a b) (edge $z $z) (node a (color red)) (node b (color blue)) (link a (to (b c)))");

        Assert.Equal(2, Match(space, "(edge $x $x)", "$x").Count);
        Assert.Equal(["a", "a", "b"], Match(space, "(edge a $y)", "$y"));
        Assert.Equal(["(a (color red))", "(b (color blue))"], Match(space, "(node $n $c)", "($n $c)"));
        Assert.Equal(["red"], Match(space, "(node a (color $c))", "$c"));
        Assert.Equal(["c"], Match(space, "(link a (to (b $last)))", "$last"));
        Assert.Equal(["edge", "link", "node", "node"], Match(space, "($h $x ($k $v))", "$h"));
        Assert.Empty(Match(space, "(node c $any)", "$any"));
        Assert.Empty(Match(space, "(missing $x)", "$x"));
        Assert.Equal(2, Match(space, "(node $n $c)", "$n", limit: 2).Count);
        Assert.Single(Match(space, "(node $n $c)", "$n", limit: 1));
    }

    [Fact]
    public void Conjunctions_share_variables_and_the_occurs_check_holds()
    {
        var space = Space("(p a b) (p b c) (p c d) (q $x (f $x))");

        Assert.Equal(["(a c)", "(b d)"], Match(space, "(, (p $x $y) (p $y $z))", "($x $z)"));
        Assert.Equal(["(a d)"], Match(space, "(, (p $x $y) (p $y $z) (p $z $w))", "($x $w)"));
        Assert.Empty(Match(space, "(q $v $v)", "$v"));
        Assert.Single(Match(space, "(q z $w)", "$w"));
    }

    [Fact]
    public void A_match_run_in_small_slices_and_pages_gives_what_one_run_gives()
    {
        var space = Space(TestData.ReadText("aunt-kg/royal92_simple.metta"));
        (string Pattern, string Template)[] queries =
        [
            ("(parent $p $x)", "($x $p)"),
            ("(, (parent $m $x) (female $m))", "(mother $m $x)"),
            ("(, (parent $p $x) (parent $p $s) (female $s))", "(sister $s $x)"),
            ("(parent $p \"@I1972@\")", "$p"),
        ];
        foreach (var (pattern, template) in queries)
        {
            var whole = Match(space, pattern, template);
            var cursor = space.OpenMatch(One(pattern), One(template));
            var pieces = new List<string>();
            for (var calls = 0; !cursor.Finished && calls < 1_000_000; calls++)
            {
                // A page of at most 7 results, and a slice that ends at the first look at the clock.
                var page = 0;
                cursor.Next(result =>
                {
                    pieces.Add(MettaPrinter.Print(result));
                    return ++page < 7;
                }, TimeSpan.Zero);
            }

            Assert.True(cursor.Finished);
            Assert.Equal(whole.Count, cursor.Solutions);
            Assert.Equal(whole, pieces.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void A_match_is_stopped_when_it_exceeds_its_budget()
    {
        var space = Space(TestData.ReadText("aunt-kg/royal92_simple.metta"));
        var runaway = One("(, (parent $a $b) (parent $c $d) (female $e))");

        var counting = space.OpenMatch(runaway, template: null, budget: new MatchBudget(100_000, TimeSpan.MaxValue));
        var solutions = Assert.Throws<MatchBudgetExceededException>(() => counting.Next(null, TimeSpan.MaxValue));
        var timed = space.OpenMatch(runaway, One("$a"), budget: new MatchBudget(long.MaxValue, TimeSpan.FromMilliseconds(200)));
        var work = Assert.Throws<MatchBudgetExceededException>(() =>
        {
            while (!timed.Finished)
            {
                timed.Next(_ => true, TimeSpan.FromMilliseconds(50));
            }
        });

        Assert.Contains("more than 100,000 solutions", solutions.Message, StringComparison.Ordinal);
        Assert.Equal(100_000, counting.Solutions);
        Assert.True(counting.Finished);
        Assert.Contains("worked for more than 0.2 s", work.Message, StringComparison.Ordinal);
        Assert.True(timed.Finished && timed.Work < TimeSpan.FromSeconds(2), $"{timed.Work}");
        Assert.Equal(1_000_000, space.MatchCount(runaway, limit: 1_000_000));
    }

    /// <summary>The matcher against a naive, independent reference: every stored atom, renamed apart, unified with the pattern by <see cref="ReferenceUnifier"/>.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Agrees_with_a_naive_scan_on_random_spaces_and_patterns(int seed)
    {
        var random = new Random(seed);
        string[] symbols = ["a", "b", "c"];
        string[] variables = ["$x", "$y", "$z"];
        string Term(int depth) => random.Next(depth <= 0 ? 3 : 5) switch
        {
            0 => symbols[random.Next(symbols.Length)],
            1 => variables[random.Next(variables.Length)],
            2 => symbols[random.Next(symbols.Length)],
            _ => "(" + string.Join(' ', Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Term(depth - 1))) + ")",
        };

        // Expressions of one to three arguments, so that patterns walk the space's trie and the argument
        // index (a variable first argument, a known later one); some removed again, so the index must
        // forget what the space forgets.
        var stored = Enumerable.Range(0, 80).Select(_ => "(" + string.Join(' ', Enumerable.Range(0, 2 + random.Next(3)).Select(_ => Term(2))) + ")").ToList();
        var space = Space(string.Join('\n', stored));
        foreach (var removed in stored.Where(_ => random.Next(4) == 0))
        {
            space.Remove(One(removed));
        }

        var atoms = space.Export();
        for (var round = 0; round < 80; round++)
        {
            var pattern = One("(" + string.Join(' ', Enumerable.Range(0, 2 + random.Next(3)).Select(_ => Term(2))) + ")");
            var template = One("(r " + string.Join(' ', variables) + ")");

            var expected = new List<string>();
            foreach (var (atom, i) in atoms.Select((a, i) => (a, i)))
            {
                var renamed = One(MettaPrinter.Print(atom).Replace("$x", $"$naive{i}x", StringComparison.Ordinal));
                if (ReferenceUnifier.Unify(pattern, renamed) is { } bindings)
                {
                    expected.Add(Convert.ToHexString(AtomEncoder.Encode(ReferenceUnifier.Apply(template, bindings))));
                }
            }

            var actual = space.Match(pattern, template).Select(r => Convert.ToHexString(AtomEncoder.Encode(r))).ToList();
            expected.Sort(StringComparer.Ordinal);
            actual.Sort(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(actual), $"pattern {MettaPrinter.Print(pattern)}: expected {expected.Count}, got {actual.Count}");
            Assert.Equal(actual, Encoded(space, pattern, template));
        }

        // Conjunctions of two patterns against a nested-loop join of the same reference.
        for (var round = 0; round < 15; round++)
        {
            var first = "(" + string.Join(' ', Enumerable.Range(0, 2 + random.Next(2)).Select(_ => Term(1))) + ")";
            var second = "(" + string.Join(' ', Enumerable.Range(0, 2 + random.Next(2)).Select(_ => Term(1))) + ")";
            var template = One("(r " + string.Join(' ', variables) + ")");
            var expected = new List<string>();
            var renamed = atoms.Select((a, i) => MettaPrinter.Print(a).Replace("$x", $"$naive{i}x", StringComparison.Ordinal)).ToList();
            for (var i = 0; i < atoms.Count; i++)
            {
                for (var j = 0; j < atoms.Count; j++)
                {
                    var right = One($"({renamed[i]} {renamed[j].Replace("$naive", "$other", StringComparison.Ordinal)})");
                    if (ReferenceUnifier.Unify(One($"({first} {second})"), right) is { } bindings)
                    {
                        expected.Add(Convert.ToHexString(AtomEncoder.Encode(ReferenceUnifier.Apply(template, bindings))));
                    }
                }
            }

            var actual = space.Match(One($"(, {first} {second})"), template).Select(r => Convert.ToHexString(AtomEncoder.Encode(r))).ToList();
            expected.Sort(StringComparer.Ordinal);
            actual.Sort(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(actual), $"conjunction (, {first} {second}): expected {expected.Count}, got {actual.Count}");
        }
    }

    [Fact]
    public void A_later_argument_is_a_lookup_in_the_argument_index_with_the_same_solutions()
    {
        var space = Space("""
            (parent Tom Bob) (parent Ann Bob) (parent Bob Liz) (parent $anyone Adam)
            (edge a b c) (edge b b c) (edge a (f $v) $v) (weight a 1.5 kg)
            """);

        Assert.Equal(["(p Ann)", "(p Tom)"], Match(space, "(parent $p Bob)", "(p $p)"));
        Assert.Equal(["(p $x0#0)"], Match(space, "(parent $p Adam)", "(p $p)"));
        Assert.Equal(["(e a)", "(e b)"], Match(space, "(edge $x b c)", "(e $x)"));
        Assert.Equal(["(e a c)"], Match(space, "(edge $x (f c) $w)", "(e $x $w)"));
        Assert.Equal(["(w a)"], Match(space, "(weight $x $y kg)", "(w $x)"));

        // Removing every atom, then clearing, empties the index with the space.
        Assert.True(space.IndexMemory.LiveBytes > 0);
        foreach (var atom in space.Export())
        {
            space.Remove(atom);
        }

        Assert.Equal(0, space.Count);
        Assert.Empty(Match(space, "(parent $p Bob)", "(p $p)"));
        space.AddFacts(MettaReader.Parse("(parent Eve Bob)"));
        Assert.Equal(["(p Eve)"], Match(space, "(parent $p Bob)", "(p $p)"));
        space.Clear();
        Assert.Empty(Match(space, "(parent $p Bob)", "(p $p)"));
    }

    [Fact]
    public void A_bound_filter_is_a_lookup_while_no_atom_holds_a_variable_and_a_walk_once_one_does()
    {
        var space = Space("(parent Ann Bob) (parent Tom Bob) (parent Bob Liz) (female Ann) (female Liz)");
        const string mothers = "(, (parent $m $x) (female $m))";

        Assert.Equal(["(mother Ann Bob)"], Match(space, mothers, "(mother $m $x)"));

        // Everyone is female now, through a stored variable: the filter must walk to find it.
        space.AddFacts(MettaReader.Parse("(female $anyone)"));
        Assert.Equal(["(mother Ann Bob)", "(mother Ann Bob)", "(mother Bob Liz)", "(mother Tom Bob)"], Match(space, mothers, "(mother $m $x)"));
        space.Remove(One("(female $anyone)"));
        Assert.Equal(["(mother Ann Bob)"], Match(space, mothers, "(mother $m $x)"));
    }

    [Fact]
    public void Results_written_as_bytes_are_the_atoms_encoded_whatever_their_size()
    {
        var long1 = new string('a', 300);
        var long2 = new string('b', 70_000);
        var space = Space($"(name P1 \"{long1}\") (name P2 \"{long2}\") (name P3 short) (name P4 $anything)");
        var pattern = One("(name $p $n)");
        var template = One("(r $n $p $n $unbound)");

        Assert.Equal(
            space.Match(pattern, template).Select(r => Convert.ToHexString(AtomEncoder.Encode(r))).Order(StringComparer.Ordinal),
            Encoded(space, pattern, template));
    }

    [Fact]
    public void Changes_made_while_the_argument_index_catches_up_are_in_it_once_it_has()
    {
        var space = Space(string.Join(' ', Enumerable.Range(0, 1000).Select(i => $"(parent P{i} Bob)")));
        Assert.False(space.IndexIsComplete);
        Assert.False(space.Step(300, static (view, keys) => view.CatchUpIndex(keys)));

        // Below and above the watermark, added and removed while it is part way.
        space.AddFacts(MettaReader.Parse("(parent A Bob) (parent ZZZZZZZZ Bob)"));
        space.Remove(One("(parent P1 Bob)"));
        space.Remove(One("(parent P999 Bob)"));
        Assert.True(space.Step(int.MaxValue, static (view, keys) => view.CatchUpIndex(keys)));

        var expected = Enumerable.Range(0, 1000).Where(i => i is not (1 or 999)).Select(i => $"(p P{i})").Append("(p A)").Append("(p ZZZZZZZZ)").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Match(space, "(parent $p Bob)", "(p $p)"));
        Assert.True(space.IndexIsComplete);
    }

    [Fact]
    public void A_load_into_a_space_whose_index_has_caught_up_leaves_the_index_behind_and_it_catches_up_whole()
    {
        // What a silo does to a new space (its index catches up at once: there is nothing to index),
        // and again after a few atoms added one by one: they are indexed as they come.
        var space = new OrleansKb.Spaces.AtomSpace();
        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(10)));
        space.AddFacts(MettaReader.Parse("(parent Few Bob)"));
        Assert.True(space.IndexIsComplete);

        // A load is not indexed atom by atom: the index falls behind and costs the load nothing.
        space.AddFacts(MettaReader.Parse(string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"(parent P{i} Bob)"))));
        Assert.False(space.IndexIsComplete);
        Assert.True(space.IndexMemory.LiveBytes < 4096);

        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(30)));
        var expected = Enumerable.Range(0, 20_000).Select(i => $"(p P{i})").Append("(p Few)").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Match(space, "(parent $p Bob)", "(p $p)"));
    }

    [Fact]
    public void A_match_spends_its_slices_catching_the_argument_index_up_only_if_it_may_walk_it()
    {
        var space = Space(string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"(parent P{i} Bob)")));
        Assert.False(space.IndexIsComplete);
        var emptyIndex = space.IndexMemory.LiveBytes;

        // A copy reads every parent by its first argument; a join on the first arguments binds no later one.
        foreach (var pattern in new[] { "(parent $a $b)", "(, (parent $a $b) (parent $a $c))" })
        {
            Assert.Equal(20_000L, CountAll(space.OpenMatch(One(pattern), One("(x $a)"))));
            Assert.Equal(emptyIndex, space.IndexMemory.LiveBytes);
        }

        // A lookup by a later argument, alone or bound by another pattern, catches up as it goes.
        Assert.Equal(0L, CountAll(space.OpenMatch(One("(, (parent $a $b) (parent Q $b))"), One("(x $a)"))));
        Assert.True(space.IndexIsComplete);
    }

    private static long CountAll(MatchCursor cursor)
    {
        var solutions = 0L;
        for (var calls = 0; !cursor.Finished && calls < 10_000; calls++)
        {
            solutions += cursor.Count(TimeSpan.FromSeconds(1));
        }

        return solutions;
    }

    [Fact]
    public void An_atom_indexed_before_the_index_fell_behind_and_removed_after_is_not_found_once_it_has_caught_up()
    {
        var space = Space(string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"(parent P{i} Bob)")));
        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(30)));

        // A load of keys that sort below every parent: the index falls behind below all of them.
        space.AddFacts(MettaReader.Parse(string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"(child Bob P{i})"))));
        Assert.False(space.IndexIsComplete);
        space.Remove(One("(parent P5 Bob)"));
        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(30)));

        var expected = Enumerable.Range(0, 20_000).Where(i => i != 5).Select(i => $"(p P{i})").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Match(space, "(parent $p Bob)", "(p $p)"));
    }

    [Fact]
    public void A_load_in_key_order_is_not_indexed_batch_by_batch_once_it_has_fallen_behind()
    {
        // A sorted file, or a partition a split fills: each batch lies after every key of the space.
        var space = new OrleansKb.Spaces.AtomSpace();
        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(10)));
        void Batch(int number) =>
            space.AddFacts(MettaReader.Parse(string.Join(' ', Enumerable.Range(number * 2_000, 2_000).Select(i => $"(parent P{i:D6} Bob)"))));

        // The first 16,000 atoms are indexed with their change; the ninth batch falls behind, and no later one is indexed.
        Enumerable.Range(0, 9).ToList().ForEach(Batch);
        var indexed = space.IndexMemory.LiveBytes;
        Enumerable.Range(9, 31).ToList().ForEach(Batch);
        Assert.Equal(indexed, space.IndexMemory.LiveBytes);
        Assert.False(space.IndexIsComplete);

        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(30)));
        Assert.Equal(["(p P079999)"], Match(space, "(parent $p Bob)", "(p $p)").Where(p => p.Contains("P079999", StringComparison.Ordinal)));
        Assert.Equal(80_000, Match(space, "(parent $p Bob)", "(p $p)").Count);
    }

    [Fact]
    public void A_load_into_one_relation_leaves_the_argument_index_covering_the_others()
    {
        var space = Space(string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"(parent P{i} Bob)")));
        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(30)));
        space.AddFacts(MettaReader.Parse(string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"(child Bob P{i})"))));
        Assert.False(space.IndexIsComplete);

        // Parents looked up by a later argument walk the index, which covers them: nothing to catch up
        // first (a match walking the trie would: a lookup takes the index whenever it may).
        var expected = Enumerable.Range(0, 20_000).Select(i => $"(p P{i})").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Match(space, "(parent $p Bob)", "(p $p)"));
        Assert.False(space.IndexIsComplete);

        // The children are what it lacks, and all it catches up: 20,000 keys, not the parents again.
        Assert.True(space.Step(20_001, static (view, keys) => view.CatchUpIndex(keys)));
        Assert.True(space.IndexIsComplete);
        Assert.Equal(["(c Bob)"], Match(space, "(child $x P7)", "(c $x)"));
    }

    [Fact]
    public void Lookups_by_a_later_argument_give_what_the_space_holds_through_random_loads_removes_and_catching_up()
    {
        var random = new Random(20261204);
        var space = new OrleansKb.Spaces.AtomSpace();
        var held = new SortedSet<string>(StringComparer.Ordinal);
        string[] relations = ["aunt", "mother", "parent", "zz"];
        for (var step = 0; step < 200; step++)
        {
            switch (random.Next(4))
            {
                case 0:
                    // A load into one relation: a few atoms (indexed as they come) or enough to fall behind.
                    var relation = relations[random.Next(relations.Length)];
                    var size = random.Next(3) == 0 ? random.Next(2_000, 20_000) : random.Next(1, 50);
                    var atoms = Enumerable.Range(0, size).Select(_ => $"({relation} P{random.Next(20_000)} Q{random.Next(40)})").ToList();
                    space.AddFacts(MettaReader.Parse(string.Join(' ', atoms)));
                    held.UnionWith(atoms);
                    break;
                case 1:
                    foreach (var atom in held.Where((_, i) => i % 101 == step % 101).Take(40).ToList())
                    {
                        Assert.True(space.Remove(One(atom)));
                        held.Remove(atom);
                    }

                    break;
                case 2:
                    space.Step(random.Next(1, 20_000), static (view, keys) => view.CatchUpIndex(keys));
                    break;
                default:
                    var (asked, value) = (relations[random.Next(relations.Length)], $"Q{random.Next(40)}");
                    var expected = held.Where(a => a.StartsWith($"({asked} ", StringComparison.Ordinal) && a.EndsWith($" {value})", StringComparison.Ordinal))
                        .Select(a => $"(p {a.Split(' ')[1]})").Order(StringComparer.Ordinal).ToList();
                    Assert.Equal(expected, Match(space, $"({asked} $p {value})", "(p $p)"));
                    break;
            }
        }

        Assert.True(space.CatchUpIndex(TimeSpan.FromSeconds(30)));
        Assert.Equal(held.Count(a => a.EndsWith(" Q7)", StringComparison.Ordinal)), relations.Sum(r => Match(space, $"({r} $p Q7)", "(p $p)").Count));
    }

    [Fact]
    public void The_argument_index_holds_each_later_argument_of_each_expression_once_and_forgets_removed_ones()
    {
        var index = new ArgumentIndex();
        var space = new OrleansKb.Storage.ByteTrie();
        string[] atoms = ["(parent Tom Bob)", "(edge a (f $v) $v)", "(female Liz)", "Tom", "(w a b c d)"];
        var keys = atoms.Select(t => AtomEncoder.Encode(One(t))).ToList();

        // Behind at first: an add above the watermark waits for the catching up, in steps.
        keys.ForEach(key => space.Add(key));
        keys.ForEach(key => index.Add(key, EncodedItem.ContainsVariable(key)));
        Assert.Equal(0, index.Trie.Count);
        Assert.False(index.CatchUp(space, 2));
        Assert.False(index.IsComplete);
        Assert.True(index.CatchUp(space, 100));
        Assert.True(index.IsComplete);

        var held = new List<string>();
        foreach (var key in index.Trie.EnumerateKeys())
        {
            held.Add(MettaPrinter.Print(AtomDecoder.Decode(key)));
        }

        held.Sort(StringComparer.Ordinal);
        Assert.Equal(
            ["(2 (f $x0) edge a $x0)", "(2 Bob parent Tom)", "(2 b w a c d)", "(3 $x0 edge a (f $x0))", "(3 c w a b d)", "(4 d w a b c)"],
            held);
        foreach (var key in keys)
        {
            index.Remove(key, EncodedItem.ContainsVariable(key));
        }

        Assert.Equal(0, index.Trie.Count);
    }

    [Fact]
    public async Task A_recovered_space_has_its_argument_index_back()
    {
        var store = new MemoryLogSpaceStore();
        var live = new AtomSpace();
        var stored = await store.OpenAsync("space");
        var recovery = live.StartRecovery();
        await stored.RecoverAsync(recovery);
        recovery.Finish();
        long sequence = 0;
        Task Change(OrleansKb.Persistence.LogOperation operation, string text)
        {
            var writer = new EncodedAtomWriter();
            foreach (var atom in MettaReader.Parse(text))
            {
                AtomEncoder.Append(atom, writer);
            }

            using var change = live.Validate(operation, writer.ToArray());
            var durable = stored.Append(new OrleansKb.Persistence.LogRecord(++sequence, operation, change.Atoms));
            change.Apply();
            return durable;
        }

        await Change(OrleansKb.Persistence.LogOperation.AddFacts, "(parent Tom Bob) (parent Ann Bob) (parent Bob Liz)");
        await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        await Change(OrleansKb.Persistence.LogOperation.Remove, "(parent Tom Bob)");
        await Change(OrleansKb.Persistence.LogOperation.AddFacts, "(parent Eve Liz)");

        var recovered = new AtomSpace();
        var again = await store.OpenAsync("space");
        var replay = recovered.StartRecovery();
        await again.RecoverAsync(replay);
        replay.Finish();

        Assert.Equal(["(p Ann)"], Match(recovered, "(parent $p Bob)", "(p $p)"));
        Assert.Equal(["(p Bob)", "(p Eve)"], Match(recovered, "(parent $p Liz)", "(p $p)"));
        Assert.Equal(Match(live, "(parent $p $c)", "(p $p $c)"), Match(recovered, "(parent $p $c)", "(p $p $c)"));
    }

    [Fact]
    public void A_query_asked_again_is_joined_with_the_statistics_kept_until_the_space_changes_size_or_is_cleared()
    {
        var space = Space(TestData.ReadText("aunt-kg/royal92_simple.metta"));
        int MatchedAlone(string pattern, string template, out List<string> results)
        {
            var cursor = space.OpenMatch(One(pattern), One(template));
            results = [];
            var found = results;
            while (!cursor.Finished)
            {
                cursor.Next(result => { found.Add(MettaPrinter.Print(result)); return true; }, TimeSpan.MaxValue);
            }

            found.Sort(StringComparer.Ordinal);
            return cursor.PatternsMatchedAlone;
        }

        const string Mothers = "(, (parent $m $x) (female $m))";
        Assert.Equal(2, MatchedAlone(Mothers, "($m $x)", out var first));
        Assert.NotEmpty(first);

        // The same patterns, alpha-equivalent (other names, another order): nothing matched alone again.
        Assert.Equal(0, MatchedAlone("(, (female $w) (parent $w $child))", "($w $child)", out var again));
        Assert.Equal(first, again);

        // Grown by more than an eighth: measured again, same results.
        var extra = Enumerable.Range(0, (int)(space.Count / 6)).Select(i => One($"(parent \"@X{i}@\" \"@Y{i}@\")")).ToList();
        space.AddFacts(extra);
        Assert.Equal(2, MatchedAlone(Mothers, "($m $x)", out var grown));
        Assert.Equal(first, grown);

        // Cleared and loaded again: the kept statistics are gone.
        space.Clear();
        space.AddFacts(MettaReader.Parse(TestData.ReadText("aunt-kg/royal92_simple.metta")));
        Assert.Equal(2, MatchedAlone(Mothers, "($m $x)", out var reloaded));
        Assert.Equal(first, reloaded);
    }

    [Fact]
    public void An_atom_with_variables_added_while_a_match_is_paged_is_unified_not_read_as_values()
    {
        // The walk started while no atom held a variable (so it enumerates under its prefix); one
        // that does comes in between two pages.
        foreach (var (pattern, template) in new[] { ("(rel $x $y)", "($y $x)"), ("(, (k $k) (rel $k $y))", "($k $y)") })
        {
            var space = Space("(rel (g 1) b) (rel (g 2) c) (k (g 1)) (k (g 2)) (k (g 3))");
            var cursor = space.OpenMatch(One(pattern), One(template));
            var results = new EncodedAtomWriter();
            cursor.NextEncoded(results, pageBytes: 1, TimeSpan.MaxValue);
            Assert.Equal(1, results.AtomCount);
            space.Add(One("(rel $v $v)"));
            for (var calls = 0; !cursor.Finished && calls < 100; calls++)
            {
                cursor.NextEncoded(results, pageBytes: 1, TimeSpan.MaxValue);
            }

            // Every page decodes; each result is one a whole match gives now (up to variable names).
            var printed = Enumerable.Range(0, results.AtomCount).Select(i => MettaPrinter.Print(AtomDecoder.Decode(results.Atom(i)))).ToList();
            Assert.True(cursor.Finished);
            Assert.Subset(Encoded(space, One(pattern), One(template)).ToHashSet(), Enumerable.Range(0, results.AtomCount).Select(i => Convert.ToHexString(results.Atom(i))).ToHashSet());
            Assert.Contains(pattern.StartsWith("(,", StringComparison.Ordinal) ? "((g 2) c)" : "(c (g 2))", printed);
        }
    }
}
