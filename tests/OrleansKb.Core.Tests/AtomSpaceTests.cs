using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>The plan's "Tests it asked for", on the in-process environment.</summary>
public sealed class AtomSpaceTests
{
    private static readonly BulkOptions AlwaysParallel = new() { ParallelThreshold = 0, DegreeOfParallelism = 4 };

    private static Atom Parse(string text) => Assert.Single(MettaReader.Parse(text));

    private static List<Atom> ParseAll(string text) => MettaReader.Parse(text);

    [Fact]
    public void A_thousand_facts_added_in_parallel_are_all_contained()
    {
        var facts = Royal92ShapedFacts.Generate(1000);
        var environment = new AtomSpace();

        Assert.Equal(1000, environment.AddFactsParallel(facts, AlwaysParallel));

        Assert.Equal(1000, environment.Count);
        Assert.All(facts, f => Assert.True(environment.Contains(f)));
        Assert.False(environment.Contains(Parse("(Individuals 1 (Sex \"X\"))")));
        Assert.Equal(0, environment.AddFactsParallel(facts, AlwaysParallel));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 7)]
    [InlineData(3, 300)]
    [InlineData(4, 5000)]
    public void Sequential_and_parallel_bulk_adds_give_identical_environments_on_random_data(int seed, int count)
    {
        // Generated facts with duplicates, alpha-equivalent rules and a random order.
        var random = new Random(seed);
        var atoms = Royal92ShapedFacts.Generate(count, seed)
            .Concat(GeneratedRules.Generate(count / 3))
            .Concat(Royal92ShapedFacts.Generate(count / 2, seed))
            .Concat(ParseAll("(= (f $a) $a) (= (f $b) $b) (= $any 1) (= ($h $x) 2)"))
            .OrderBy(_ => random.Next())
            .ToList();

        var sequential = new AtomSpace();
        var parallel = new AtomSpace();
        var sorted = new AtomSpace();
        var added = sequential.AddFacts(atoms, BulkOptions.Sequential);

        Assert.Equal(added, parallel.AddFactsParallel(atoms, AlwaysParallel));
        Assert.Equal(added, sorted.AddFactsParallel(atoms, AlwaysParallel with { SortKeys = true }));
        Assert.Equal(sequential.Count, added);
        Assert.Equal(sequential.Dump(), parallel.Dump());
        Assert.Equal(sequential.Dump(), sorted.Dump());
        foreach (var head in new[] { "f", "f1", "f7", "g" })
        {
            for (var arity = 0; arity < 4; arity++)
            {
                Assert.Equal(sequential.MatchingRules(head, arity), parallel.MatchingRules(head, arity));
                Assert.Equal(sequential.MatchingRules(head, arity), sorted.MatchingRules(head, arity));
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Sequential_and_parallel_bulk_adds_give_identical_environments_on_real_data(string file, int atoms)
    {
        var facts = TestData.ReadAtoms(file);
        var sequential = new AtomSpace();
        var parallel = new AtomSpace();

        sequential.AddFacts(facts, BulkOptions.Sequential);
        parallel.AddFactsParallel(facts, AlwaysParallel);

        Assert.Equal(sequential.Dump(), parallel.Dump());
        Assert.Equal(TestData.ReadEncoded(file).Select(Convert.ToBase64String).Distinct().Count(), parallel.Count);
        Assert.True(parallel.Count <= atoms);
    }

    [Fact]
    public void Ten_threads_adding_overlapping_batches_give_the_union()
    {
        var facts = Royal92ShapedFacts.Generate(3000);
        var environment = new AtomSpace();
        using var start = new Barrier(10);

        var threads = Enumerable.Range(0, 10).Select(t => new Thread(() =>
        {
            // Thread t adds facts [t*200, t*200 + 1200): neighbours overlap by 1000.
            var batch = facts.Skip(t * 200).Take(1200).ToList();
            start.SignalAndWait();
            if (t % 2 == 0)
            {
                environment.AddFactsParallel(batch, AlwaysParallel);
            }
            else
            {
                foreach (var chunk in batch.Chunk(100))
                {
                    environment.AddFacts(chunk);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var expected = new AtomSpace();
        expected.AddFacts(facts.Take(9 * 200 + 1200));
        Assert.Equal(3000, environment.Count);
        Assert.Equal(expected.Dump(), environment.Dump());
    }

    [Fact]
    public async Task Parallel_bulk_adds_from_a_saturated_thread_pool_complete()
    {
        var facts = Royal92ShapedFacts.Generate(2000);
        var environment = new AtomSpace();

        // Many more concurrent callers than cores, all on thread-pool threads: the encoder threads
        // are separate and every caller works on its own thread, so none of them can starve.
        var callers = Enumerable.Range(0, 64)
            .Select(i => Task.Run(() => environment.AddFactsParallel(facts.Skip(i * 25).Take(500).ToList(), AlwaysParallel)))
            .ToArray();

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2000, environment.Count);
    }

    [Fact]
    public void Rules_are_indexed_by_head_and_arity_in_insertion_order_with_wildcards()
    {
        var environment = new AtomSpace();
        environment.AddRules(ParseAll("""
            (= (add Z $y) $y)
            (= (add (S $x) $y) (S (add $x $y)))
            (= $any any-arity)
            (= (add $a $b $c) three)
            (= ($f $x $y) two-wild)
            (= ($f $x) one-wild)
            (= (add (S $p) $q) (S (add $p $q)))
            (= 5 five)
            (= () empty)
            (= ((nested) $x) nested-head)
            (= ("str" $x) string-head)
            (= (add Z Z) zero)
            """));

        Assert.Equal(12 - 1, environment.Count);
        Assert.Equal(
            ParseAll("(= (add Z $y) $y) (= (add (S $x) $y) (S (add $x $y))) (= (add Z Z) zero) (= $any any-arity) (= ($f $x $y) two-wild)")
                .Select(MettaPrinter.Print).Select(t => MettaPrinter.Print(AtomDecoder.Decode(AtomEncoder.Encode(Parse(t))))),
            environment.MatchingRules("add", 2).Select(MettaPrinter.Print));
        Assert.Equal(["(= (add $x0 $x1 $x2) three)", "(= $x0 any-arity)"], environment.MatchingRules("add", 3).Select(MettaPrinter.Print));
        Assert.Equal(["(= $x0 any-arity)", "(= ($x0 $x1) one-wild)"], environment.MatchingRules("mul", 1).Select(MettaPrinter.Print));
        Assert.Equal(["(= $x0 any-arity)"], environment.MatchingRules("5", 0).Select(MettaPrinter.Print));

        // Four of the twelve have no symbol head: stored, not indexed; one was a duplicate.
        Assert.Equal(7, environment.RuleCount);
        Assert.True(environment.Contains(Parse("(= 5 five)")));
        Assert.True(environment.Contains(Parse("(= ((nested) $z) nested-head)")));
    }

    [Fact]
    public void Removing_a_rule_removes_it_from_the_index()
    {
        var environment = new AtomSpace();
        environment.AddRules(ParseAll("(= (f $x) 1) (= (f $x) 2) (= $v 3)"));

        Assert.True(environment.Remove(Parse("(= (f $renamed) 1)")));
        Assert.False(environment.Remove(Parse("(= (f $x) 1)")));
        Assert.True(environment.Remove(Parse("(= $w 3)")));

        Assert.Equal(["(= (f $x0) 2)"], environment.MatchingRules("f", 1).Select(MettaPrinter.Print));
        Assert.Equal(1, environment.RuleCount);
        Assert.Equal(1, environment.Count);
    }

    [Fact]
    public void Adding_rules_checks_every_one_before_adding_any()
    {
        var environment = new AtomSpace();
        var rules = ParseAll("(= (f 1) 1) (not a rule) (= (f 2) 2)");

        Assert.Throws<ArgumentException>(() => environment.AddRules(rules));
        Assert.Throws<ArgumentException>(() => environment.AddRulesParallel(rules, AlwaysParallel));
        Assert.Equal(0, environment.Count);
    }

    [Fact]
    public void Facts_remove_and_come_back()
    {
        var facts = Royal92ShapedFacts.Generate(5000);
        var environment = new AtomSpace();
        environment.AddFacts(facts);

        for (var i = 0; i < facts.Length; i += 2)
        {
            Assert.True(environment.Remove(facts[i]));
        }

        Assert.Equal(2500, environment.Count);
        Assert.All(facts.Select((f, i) => (f, i)), p => Assert.Equal(p.i % 2 == 1, environment.Contains(p.f)));
        var remaining = new AtomSpace();
        remaining.AddFacts(facts.Where((_, i) => i % 2 == 1));
        Assert.Equal(remaining.Dump(), environment.Dump());

        Assert.Equal(2500, environment.AddFacts(facts));
        Assert.Equal(5000, environment.Count);
        environment.Clear();
        Assert.Equal(0, environment.Count);
        Assert.Empty(environment.Export());
    }

    [Fact]
    public void A_malformed_encoded_batch_adds_nothing()
    {
        var environment = new AtomSpace();
        var writer = new EncodedAtomWriter();
        foreach (var fact in Royal92ShapedFacts.Generate(100))
        {
            AtomEncoder.Append(fact, writer);
        }

        var batch = writer.ToArray();
        var lastAtom = batch.Length - AtomEncoder.Encode(Royal92ShapedFacts.Generate(100)[^1]).Length;
        var corrupted = batch.ToArray();
        corrupted[lastAtom] = 0x43;

        Assert.Throws<MalformedEncodingException>(() => environment.AddEncoded(corrupted));
        Assert.Throws<MalformedEncodingException>(() => environment.AddEncoded(batch.AsSpan(0, batch.Length - 1)));
        Assert.Equal(0, environment.Count);
        Assert.Equal(100, environment.AddEncoded(batch));
    }

    [Fact]
    public void A_million_facts_in_parallel()
    {
        var facts = Royal92ShapedFacts.Generate(1_000_000);
        var environment = new AtomSpace();

        Assert.Equal(1_000_000, environment.AddFactsParallel(facts));

        Assert.Equal(1_000_000, environment.Count);
        for (var i = 0; i < facts.Length; i += 997)
        {
            Assert.True(environment.Contains(facts[i]));
        }

        Assert.True(environment.Memory.LiveBytes < facts.Length * 60L);
    }

    [Fact]
    public void Clearing_a_space_gives_its_memory_back()
    {
        var environment = new AtomSpace();
        environment.AddFacts(Royal92ShapedFacts.Generate(200_000));
        var full = environment.Memory.AllocatedBytes;

        environment.Clear();

        Assert.True(full > 10_000_000, $"{full}");
        Assert.True(environment.Memory.AllocatedBytes < 64 << 10, $"{environment.Memory.AllocatedBytes} bytes still held after Clear");
        Assert.Equal(0, environment.Count);
        Assert.Equal(3, environment.AddFacts(Royal92ShapedFacts.Generate(3)));
    }
}
