using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Tests;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cluster.Tests;

[Collection(SharedCluster.Name)]
public sealed class SpaceTests(ClusterFixture fixture)
{
    private static readonly LoadOptions SmallBatches = new() { Bulk = BulkOptions.CpuBound with { BatchBytes = 4096, ParallelThreshold = 0 }, BatchesInFlight = 3 };

    private static async Task<List<string>> ExportText(KbSpace space)
    {
        var lines = new List<string>();
        await foreach (var atom in space.ExportAsync())
        {
            lines.Add(MettaPrinter.Print(atom));
        }

        return lines;
    }

    private static List<string> DumpLines(OrleansKb.Spaces.AtomSpace environment) =>
        [.. environment.Dump().Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public async Task Bulk_adds_through_the_grain_equal_the_in_process_environment()
    {
        var atoms = Royal92ShapedFacts.Generate(20_000).Concat(GeneratedRules.Generate(500)).Concat(Royal92ShapedFacts.Generate(5_000)).ToList();
        var space = fixture.NewSpace();
        var local = new OrleansKb.Spaces.AtomSpace();

        var added = await space.AddFactsAsync(atoms, SmallBatches);

        Assert.Equal(local.AddFacts(atoms), added);
        Assert.Equal(local.Count, await space.CountAsync());
        Assert.Equal(DumpLines(local), await ExportText(space));
    }

    [Fact]
    public async Task Ten_concurrent_clients_adding_overlapping_sets_give_the_union()
    {
        var facts = Royal92ShapedFacts.Generate(12_000);
        var name = fixture.NewSpace().Name;

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            KbSpace.Of(fixture.Cluster.Client, name).AddFactsAsync(facts.Skip(i * 1000).Take(3000), SmallBatches)));

        Assert.Equal(12_000, await KbSpace.Of(fixture.Cluster.Client, name).CountAsync());
    }

    [Fact]
    public async Task A_loaded_space_gets_its_index_once_the_load_is_quiet_and_answers_by_a_later_argument_either_way()
    {
        var facts = MettaReader.Parse(string.Join(' ', Enumerable.Range(0, 5000).Select(i => $"(parent P{i} C{i % 50})")));
        var pattern = MettaReader.Parse("(parent $p C7)")[0];
        var expected = Enumerable.Range(0, 5000).Where(i => i % 50 == 7).Select(i => $"P{i}").Order(StringComparer.Ordinal).ToList();
        async Task<List<string>> Parents(KbSpace space)
        {
            var found = new List<string>();
            await foreach (var result in space.MatchAsync(pattern, MettaReader.Parse("$p")[0]))
            {
                found.Add(MettaPrinter.Print(result));
            }

            found.Sort(StringComparer.Ordinal);
            return found;
        }

        // The index of this one is built with the load's changes (a small load into a space whose empty
        // index caught up at once) or by the silo's background turns: either way it becomes complete.
        var space = fixture.NewSpace();
        await space.AddFactsAsync(facts);
        Assert.True(await Poll.Until(async () => await space.InfoAsync() is var now && now.IndexBytes > now.TrieBytes / 2, seconds: 20));
        var info = await space.InfoAsync();
        Assert.InRange(info.IndexBytes, info.TrieBytes / 2 + 1, 2 * info.TrieBytes);
        Assert.Equal(expected, await Parents(space));

        // Asked at once after its load, another answers the same, the index complete or not.
        var asked = fixture.NewSpace();
        await asked.AddFactsAsync(facts);
        Assert.Equal(expected, await Parents(asked));
    }

    [Fact]
    public async Task An_add_can_report_the_atoms_that_were_new()
    {
        var space = fixture.NewSpace();
        await space.AddFactsAsync(MettaReader.Parse("(a 1) (a 3)"));
        var writer = new EncodedAtomWriter();
        foreach (var atom in MettaReader.Parse("(a 1) (a 2) (a 3) (a 4) (a 2)"))
        {
            AtomEncoder.Append(atom, writer);
        }

        var added = await fixture.Grain(space).AddFactsReportingNew(new AtomBatch(writer.ToArray(), writer.AtomCount));

        Assert.Equal(2, added.Count);
        Assert.Equal(["(a 2)", "(a 4)"], AtomDecoder.DecodeAll(added.Bytes.Span).Select(MettaPrinter.Print).Order(StringComparer.Ordinal));
        Assert.Equal(4, await space.CountAsync());
        Assert.Equal(0, (await fixture.Grain(space).AddFactsReportingNew(new AtomBatch(writer.ToArray(), writer.AtomCount))).Count);
    }

    [Fact]
    public async Task A_malformed_batch_is_rejected_whole()
    {
        var space = fixture.NewSpace();
        var writer = new EncodedAtomWriter();
        foreach (var fact in Royal92ShapedFacts.Generate(50))
        {
            AtomEncoder.Append(fact, writer);
        }

        // The last atom's first tag made a reserved one: that atom is not an encoded atom at all.
        var bytes = writer.ToArray();
        bytes[writer.AtomEnds[^2]] = 0x43;
        var error = await Assert.ThrowsAsync<InvalidAtomBatchException>(() => fixture.Grain(space).AddFacts(new AtomBatch(bytes, 50)));

        Assert.Contains("malformed encoded atom", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await space.CountAsync());
        Assert.Equal(50, await fixture.Grain(space).AddFacts(new AtomBatch(writer.ToArray(), 50)));
    }

    [Fact]
    public async Task An_atom_over_the_size_limit_is_refused_before_anything_is_sent()
    {
        var space = fixture.NewSpace();
        var huge = Atom.String(new string('x', SpaceLimits.MaxAtomBytes + 1));
        var large = Atom.String(new string('y', 3 * SmallBatches.Bulk.BatchBytes));

        // Larger than a batch: travels alone and is stored.
        Assert.Equal(3, await space.AddFactsAsync([Atom.Symbol("before"), large, Atom.Symbol("after")], SmallBatches));
        await Assert.ThrowsAsync<OversizedAtomException>(() => space.AddFactsAsync([huge]));

        Assert.Equal(3, await space.CountAsync());
        Assert.True(await space.ContainsAsync(large));
    }

    [Fact]
    public async Task Export_pages_through_a_space_larger_than_one_page()
    {
        var facts = Royal92ShapedFacts.Generate(40_000);
        var space = fixture.NewSpace();
        var local = new OrleansKb.Spaces.AtomSpace();
        local.AddFacts(facts);

        await space.AddFactsAsync(facts);
        var exported = await ExportText(space);

        Assert.True(local.ExportEncoded([], SpaceLimits.ExportPageBytes, new EncodedAtomWriter()) < 40_000);
        Assert.Equal(DumpLines(local), exported);
    }

    [Fact]
    public async Task Rules_go_through_the_grain_in_order()
    {
        var space = fixture.NewSpace();
        var rules = MettaReader.Parse("(= (add Z $y) $y) (= (add (S $x) $y) (S (add $x $y))) (= $any 1) (= (add (S $a) $b) (S (add $a $b)))");

        Assert.Equal(3, await space.AddRulesAsync(rules));
        var matching = await space.MatchingRulesAsync("add", 2).ToListAsync();

        Assert.Equal(["(= (add Z $x0) $x0)", "(= (add (S $x0) $x1) (S (add $x0 $x1)))", "(= $x0 1)"], matching.Select(MettaPrinter.Print));
        await Assert.ThrowsAsync<InvalidAtomBatchException>(() => space.AddRulesAsync(MettaReader.Parse("(not a rule)")));
        Assert.Equal(3, await space.CountAsync());
    }

    [Fact]
    public async Task A_file_with_a_syntax_error_adds_nothing()
    {
        var space = fixture.NewSpace();

        var error = await Assert.ThrowsAsync<MettaSyntaxException>(() => space.LoadAsync(LoadSource.File(TestData.PathOf("aunt-kg/adameve.metta")), SmallBatches));

        Assert.Equal(2436, error.Line);
        Assert.Equal(0, await space.CountAsync());
    }

    [Fact]
    public async Task A_file_that_changes_during_a_load_is_reported_with_how_much_was_applied()
    {
        var space = fixture.NewSpace();
        var path = Path.Combine(Path.GetTempPath(), $"changing-{Guid.NewGuid():N}.metta");
        File.Copy(TestData.PathOf("aunt-kg/royal92.metta"), path);
        try
        {
            // Cut the file to a third as soon as the first batch is acknowledged: the load has checked
            // the whole file, and is part way through reading it.
            var cut = false;
            var progress = new Reporter(_ =>
            {
                if (!cut)
                {
                    cut = true;
                    using var file = File.Open(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                    file.SetLength(file.Length / 3);
                }
            });

            var error = await Assert.ThrowsAsync<LoadInterruptedException>(() => space.LoadAsync(LoadSource.File(path), SmallBatches, progress));

            Assert.True(error.InnerException is InputChangedException, error.InnerException?.ToString());
            var changed = (InputChangedException)error.InnerException!;
            Assert.Contains("changed while it was being loaded", changed.Message, StringComparison.Ordinal);
            Assert.Contains($"the load stopped after {error.AtomsAcknowledged:N0} of its atoms were acknowledged", error.Message, StringComparison.Ordinal);
            Assert.Equal(error.AtomsAdded, await space.CountAsync());
            Assert.InRange(error.AtomsAdded, 1, 53_441);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Loading_royal92_gives_its_53442_distinct_atoms()
    {
        var space = fixture.NewSpace();

        var result = await space.LoadAsync(LoadSource.File(TestData.PathOf("aunt-kg/royal92.metta")), SmallBatches with { Bulk = SmallBatches.Bulk with { BatchBytes = 64 << 10 } });

        Assert.Equal(53_442, result.AtomsRead);
        Assert.Equal(53_442, result.AtomsAdded);
        Assert.Equal(53_442, await space.CountAsync());
        Assert.True(await space.ContainsAsync(MettaReader.Parse("(Individuals 8 (Title \"Prince\"))")[0]));
        Assert.Equal(1, await space.RemoveAsync(MettaReader.Parse("(Individuals 8 (Title \"Prince\")) (not there)")));
        await space.ClearAsync();
        Assert.Equal(0, await space.CountAsync());
    }

    [Fact]
    public async Task A_large_file_loads_in_parallel_segments_and_a_misleading_cut_falls_back_to_one_reader()
    {
        var scratch = Directory.CreateTempSubdirectory("orleanskb-load-").FullName;
        try
        {
            var facts = Royal92ShapedFacts.Generate(80_000);
            var large = Path.Combine(scratch, "large.metta");
            await File.WriteAllLinesAsync(large, facts.Select(MettaPrinter.Print));
            var trap = Path.Combine(scratch, "trap.metta");
            await File.WriteAllTextAsync(trap, "a\u00A0\"" + new string('x', 3 << 20) + "\n(b)\"\n");
            var options = new LoadOptions { Bulk = BulkOptions.CpuBound with { DegreeOfParallelism = 3 } };

            var space = fixture.NewSpace();
            var result = await space.LoadAsync(LoadSource.File(large), options);
            var trapSpace = fixture.NewSpace();
            var trapResult = await trapSpace.LoadAsync(LoadSource.File(trap), options);

            Assert.Equal(80_000, result.AtomsRead);
            Assert.Equal(80_000, await space.CountAsync());
            Assert.True(await space.ContainsAsync(facts[^1]));
            Assert.Equal(2, trapResult.AtomsRead);
            Assert.Equal(2, await trapSpace.CountAsync());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task Many_concurrent_async_callers_on_a_busy_thread_pool_complete()
    {
        var facts = Royal92ShapedFacts.Generate(4_000);
        var space = fixture.NewSpace();
        using var release = new ManualResetEventSlim();

        // Occupy thread-pool threads with blocking work while the bulk adds run: encoding happens on
        // the callers and the dedicated encoder threads, and the grain calls are asynchronous, so
        // nothing waits for a thread-pool thread that cannot come.
        var blockers = Enumerable.Range(0, Environment.ProcessorCount * 4)
            .Select(_ => Task.Factory.StartNew(() => release.Wait(TimeSpan.FromSeconds(30)), TaskCreationOptions.None))
            .ToArray();
        var callers = Enumerable.Range(0, 32)
            .Select(i => Task.Run(() => space.AddFactsAsync(facts.Skip(i * 100).Take(400), SmallBatches)))
            .ToArray();

        var completed = Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            await completed;
        }
        finally
        {
            release.Set();
            await Task.WhenAll(blockers);
        }

        Assert.Equal(3_500, await space.CountAsync());
    }

    [Fact]
    public async Task Match_through_the_grain_gives_the_in_process_results()
    {
        var space = fixture.NewSpace();
        await space.LoadAsync(LoadSource.File(TestData.PathOf("aunt-kg/royal92_simple.metta")));
        await space.AddRulesAsync(MettaReader.Parse("(= (add (S $x) $y) (S (add $x $y)))"));
        var local = new OrleansKb.Spaces.AtomSpace();
        local.AddFacts(TestData.ReadAtoms("aunt-kg/royal92_simple.metta"));
        local.AddFacts(MettaReader.Parse("(= (add (S $x) $y) (S (add $x $y)))"));
        string[][] queries =
        [
            ["(parent $p $x)", "($p $x)"],
            ["(, (parent $m $x) (female $m))", "(mother $m $x)"],
            ["(, (parent $p $x) (parent $p $s) (female $s))", "(sister $s $x)"],
            ["(parent $p \"@I1972@\")", "$p"],
            ["(= (add (S Z) $y) $r)", "$r"],
        ];

        foreach (var query in queries)
        {
            var pattern = MettaReader.Parse(query[0])[0];
            var template = MettaReader.Parse(query[1])[0];
            var expected = local.Match(pattern, template).Select(a => Convert.ToHexString(AtomEncoder.Encode(a))).Order(StringComparer.Ordinal).ToList();
            var actual = new List<string>();
            await foreach (var result in space.MatchAsync(pattern, template))
            {
                actual.Add(Convert.ToHexString(AtomEncoder.Encode(result)));
            }

            actual.Sort(StringComparer.Ordinal);
            Assert.Equal(expected, actual);
            Assert.Equal(expected.Count, await space.MatchCountAsync(pattern));
        }

        var limited = new List<Atom>();
        await foreach (var result in space.MatchAsync(MettaReader.Parse("(parent $p $x)")[0], MettaReader.Parse("$x")[0], limit: 7))
        {
            limited.Add(result);
        }

        Assert.Equal(7, limited.Count);
        Assert.Equal(2810, await space.MatchCountAsync(MettaReader.Parse("(parent $p $x)")[0]));
    }
}
