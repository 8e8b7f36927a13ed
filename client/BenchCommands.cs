using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansKb.Cli.Bench;
using OrleansKb.Client;
using OrleansKb.Workloads;

namespace OrleansKb.Cli;

/// <summary><c>orleanskb bench …</c>: measurements a user can run on their own machine.</summary>
internal static class BenchCommands
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create(ClusterOptions cluster, TextWriter output)
    {
        var facts = FactsOption(200_000);
        var threads = new Option<int>("--threads") { Description = "Threads for the parallel phase.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = JsonOption();
        var environment = new Command("environment", "Time the in-process environment's bulk adds, phase by phase, on generated facts.")
        {
            facts,
            threads,
            json,
        };
        environment.SetAction(parse =>
        {
            var count = parse.GetValue(facts);
            var degree = parse.GetValue(threads);
            if (count < 1 || degree < 1)
            {
                throw new UserError("--facts and --threads must be at least 1");
            }

            var result = EnvironmentBench.Run(count, degree);
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(result, Json));
            }
            else
            {
                PrintTable(output, result);
            }

            return 0;
        });

        var clusterCommand = FactsBench(cluster, output, "cluster", "Time adding facts to a fresh space of the cluster: one call per fact, bulk, and parallel bulk with pipelining.", 100_000,
            ClusterBench.RunAsync,
            (kb, result) =>
            {
                var c = CultureInfo.InvariantCulture;
                output.WriteLine(string.Create(c, $"{result.Facts:N0} royal92-shaped facts into a fresh space ({kb.Description}); medians, ns per fact"));
                output.WriteLine(string.Create(c, $"  one call per fact         {result.IndividualNs,12:F1}"));
                output.WriteLine(string.Create(c, $"  bulk, sequential          {result.BulkNs,12:F1}"));
                output.WriteLine(string.Create(c, $"  bulk, parallel, pipelined {result.BulkParallelNs,12:F1}"));
                output.WriteLine(string.Create(c, $"  facts per second          {result.FactsPerS,12:N0}"));
                output.WriteLine(string.Create(c, $"  bulk vs one call per fact {result.BulkVsIndividual,12:F1}x"));
            });

        var matchFile = new Option<string>("--file") { Description = "The genealogy to load (parent/female facts).", DefaultValueFactory = _ => Path.Combine("samples", "aunt-kg", "royal92_simple.metta") };
        var matchPoint = new Option<string>("--point") { Description = "The point query to time.", DefaultValueFactory = _ => AuntKgQueries.Point };
        var matchJson = JsonOption();
        var matchInProcess = new Option<bool>("--in-process") { Description = "Match in this process (an environment, no cluster), to compare with the same figures through the cluster." };
        var matchPartitions = PartitionsOption("Load the genealogy into a space of this many partitions (docs/cluster.md).");
        var matchCommand = new Command("match", "Time the aunt-kg queries and a point query, through the cluster or in this process.") { matchFile, matchPoint, matchJson, matchInProcess, matchPartitions };
        matchCommand.SetAction(async (parse, ct) =>
        {
            var file = parse.GetRequiredValue(matchFile);
            InputFiles.Check(file);
            MatchBenchResult result;
            string where;
            if (parse.GetValue(matchInProcess))
            {
                (result, where) = (await MatchBench.RunInProcessAsync(file, parse.GetRequiredValue(matchPoint)), "in this process");
            }
            else
            {
                await using var kb = await cluster.ConnectAsync(parse, ct);
                (result, where) = (await MatchBench.RunAsync(kb, file, parse.GetRequiredValue(matchPoint), PartitionsOf(parse, matchPartitions), ct), $"through the cluster ({kb.Description})");
            }

            if (parse.GetValue(matchJson))
            {
                output.WriteLine(JsonSerializer.Serialize(result.Flat(), Json));
                return 0;
            }

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"aunt-kg queries {where}; medians of the last 5 rounds, once steady"));
            foreach (var query in result.Queries)
            {
                output.WriteLine(string.Create(c, $"  {query.Name,-8} {query.Results,8:N0} results {query.Ms,10:F1} ms"));
            }

            output.WriteLine(string.Create(c, $"  all four {result.TotalMs,27:F1} ms (the first round, cold: {result.ColdTotalMs:F1} ms)"));
            output.WriteLine(string.Create(c, $"  point query: median {result.PointMedianUs:F0} µs, p99 {result.PointP99Us:F0} µs"));
            output.WriteLine(string.Create(c, $"  streaming a million results: {result.StreamResultsPerS:N0} results/s"));
            return 0;
        });

        var httpUrl = new Option<string>("--url") { Description = "The silo's HTTP API, e.g. http://127.0.0.1:8080 (its HttpPort).", Required = true };
        var httpKey = new Option<string?>("--api-key") { Description = "The silo's HttpApiKey, if it has one (or ORLEANSKB_HTTP_API_KEY)." };
        var httpFacts = FactsOption(1_000_000);
        var httpJson = JsonOption();
        var httpCommand = new Command("http", "Time loading the same file as orleanskb load does and through the HTTP API, and a point match over HTTP.")
        {
            httpUrl,
            httpKey,
            httpFacts,
            matchFile,
            matchPoint,
            httpJson,
        };
        httpCommand.SetAction(async (parse, ct) =>
        {
            var count = FactsOf(parse, httpFacts);
            var file = parse.GetRequiredValue(matchFile);
            InputFiles.Check(file);
            if (!Uri.TryCreate(parse.GetRequiredValue(httpUrl), UriKind.Absolute, out var url))
            {
                throw new UserError($"--url must be an absolute URL, not '{parse.GetValue(httpUrl)}'");
            }

            await using var kb = await cluster.ConnectAsync(parse, ct);
            var key = parse.GetValue(httpKey) ?? Environment.GetEnvironmentVariable("ORLEANSKB_HTTP_API_KEY");
            // An https URL is trusted as the cluster is: its certificate must chain to the one --tls-certificate
            // or --tls-trusted names (the silo serves HTTPS with its cluster certificate).
            var tls = cluster.Tls(parse);
            var trusted = tls.Enabled ? tls.Load().Trusted : null;
            var result = await HttpBench.RunAsync(kb, url, key, count, file, parse.GetRequiredValue(matchPoint), trusted, ct);
            if (parse.GetValue(httpJson))
            {
                output.WriteLine(JsonSerializer.Serialize(result, Json));
                return 0;
            }

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"{result.Facts:N0} royal92-shaped facts ({result.FileBytes:N0} bytes); medians of 3, alternately"));
            output.WriteLine(string.Create(c, $"  orleanskb load (this process reads)   {result.LoadFactsPerS,12:N0} facts/s"));
            output.WriteLine(string.Create(c, $"  POST …/atoms (the silo reads)         {result.HttpFactsPerS,12:N0} facts/s   {result.HttpVsLoad:F2}x"));
            output.WriteLine(string.Create(c, $"  point match over HTTP: median {result.PointMedianUs:F0} µs, p99 {result.PointP99Us:F0} µs"));
            return 0;
        });

        var durability = FactsBench(cluster, output, "durability", "Time the same load into an in-memory and a durable space, a snapshot, and recovery from the log and from the snapshot.", 1_000_000,
            DurabilityBench.RunAsync,
            (kb, result) =>
            {
                var c = CultureInfo.InvariantCulture;
                output.WriteLine(string.Create(c, $"{result.Facts:N0} royal92-shaped facts ({kb.Description}); ns per fact, medians"));
                output.WriteLine(string.Create(c, $"  load, in memory              {result.MemoryLoadNs,10:F1}"));
                output.WriteLine(string.Create(c, $"  load, durable (on disk)      {result.DurableLoadNs,10:F1}   {result.DurableVsMemory:F2}x"));
                output.WriteLine(string.Create(c, $"  write a snapshot             {result.SnapshotNs,10:F1}   (the longest count meanwhile: {result.LongestCountDuringSnapshotMs:F1} ms)"));
                output.WriteLine(string.Create(c, $"  recover from the snapshot    {result.RecoveryNs,10:F1}   {1e3 / result.RecoveryNs:F2} M atoms/s"));
                output.WriteLine(string.Create(c, $"  recover from the log alone   {result.ReplayNs,10:F1}   {1e3 / result.ReplayNs:F2} M atoms/s"));
            });

        var repartition = FactsBench(cluster, output, "repartition", "Time repartitioning a space of one partition into --partitions partitions, and then into half as many, online.", 1_000_000,
            RepartitionBench.RunAsync,
            (kb, result) =>
            {
                var c = CultureInfo.InvariantCulture;
                output.WriteLine(string.Create(c, $"{result.Facts:N0} royal92-shaped facts ({kb.Description}), loaded at {result.LoadNs:F1} ns per fact"));
                output.WriteLine(string.Create(c, $"  repartition 1 → {result.Partitions,-4}      {result.IntoAtomsPerS,12:N0} atoms/s"));
                output.WriteLine(string.Create(c, $"  repartition {result.Partitions} → {Math.Max(1, result.Partitions / 2),-4}      {result.BackAtomsPerS,12:N0} atoms/s"));
                output.WriteLine(string.Create(c, $"  the longest count meanwhile: {result.LongestCountMs:F1} ms"));
            },
            defaultPartitions: 8,
            partitionsDescription: "Repartition into this many partitions, then into half as many.");

        var transformFile = new Option<string>("--file") { Description = "The genealogy the aunt-kg derivations read (parent/female facts).", DefaultValueFactory = _ => Path.Combine("samples", "aunt-kg", "royal92_simple.metta") };
        var transformEdges = new Option<int>("--edges") { Description = "How many random edges the transitive step and the permuted copy read.", DefaultValueFactory = _ => 1_000_000 };
        var transformJson = JsonOption();
        var transformPartitions = PartitionsOption("Divide the random graph, and the spaces its step and copy write, into this many partitions (docs/cluster.md).");
        var transform = new Command("transform", "Time transforms in the cluster: the aunt-kg derivations, a transitive step and a permuted copy of a random graph (with count latency meanwhile), and a closure to a fixpoint, semi-naive and naive (docs/transform.md).")
        { transformFile, transformEdges, transformJson, transformPartitions };
        transform.SetAction(async (parse, ct) =>
        {
            var edges = parse.GetValue(transformEdges);
            if (edges < 1)
            {
                throw new UserError("--edges must be at least 1");
            }

            await using var kb = await cluster.ConnectAsync(parse, ct);
            var r = await TransformBench.RunAsync(kb, parse.GetRequiredValue(transformFile), edges, PartitionsOf(parse, transformPartitions), ct);
            if (parse.GetValue(transformJson))
            {
                output.WriteLine(JsonSerializer.Serialize(r, Json));
                return 0;
            }

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"transforms ({kb.Description}); medians"));
            output.WriteLine(string.Create(c, $"  aunts / sisters / mothers    {r.AuntsMs:F1} / {r.SistersMs:F1} / {r.MothersMs:F1} ms"));
            output.WriteLine(string.Create(c, $"  transitive step, {r.Edges:N0} edges in {r.Partitions} partition(s)  {r.StepAtoms:N0} atoms, {r.StepAtomsPerS:N0} atoms/s; count meanwhile {r.CountDuringStepMedianMs:F1} ms (longest {r.CountDuringStepMaxMs:F1})"));
            output.WriteLine(string.Create(c, $"  permuted copy                {r.CopyAtomsPerS:N0} atoms/s"));
            output.WriteLine(string.Create(c, $"  closure of {r.ClosureEdges:N0} edges       {r.ClosureAtoms:N0} atoms in {r.ClosureRounds} rounds: semi-naive {r.ClosureMs:F0} ms ({r.ClosureSolutions:N0} solutions), naive {r.ClosureNaiveMs:F0} ms ({r.ClosureNaiveSolutions:N0})"));
            return 0;
        });

        return new Command("bench", "Measure performance on this machine.") { environment, clusterCommand, matchCommand, httpCommand, durability, repartition, transform };
    }

    /// <summary>A bench of generated facts through the cluster: <c>--facts</c>, <c>--json</c> or a table.</summary>
    private static Command FactsBench<TResult>(
        ClusterOptions cluster, TextWriter output, string name, string description, int defaultFacts,
        Func<KbCluster, int, int, CancellationToken, Task<TResult>> run, Action<KbCluster, TResult> printTable,
        int defaultPartitions = 1, string partitionsDescription = "Divide each fresh space into this many partitions before it is loaded (docs/cluster.md).")
    {
        var facts = FactsOption(defaultFacts);
        var json = JsonOption();
        var partitions = PartitionsOption(partitionsDescription, defaultPartitions);
        var command = new Command(name, description) { facts, json, partitions };
        command.SetAction(async (parse, ct) =>
        {
            var count = FactsOf(parse, facts);
            var parts = PartitionsOf(parse, partitions);
            await using var kb = await cluster.ConnectAsync(parse, ct);
            var result = await run(kb, count, parts, ct);
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(result, Json));
            }
            else
            {
                printTable(kb, result);
            }

            return 0;
        });
        return command;
    }

    private static Option<int> FactsOption(int count) =>
        new("--facts") { Description = "How many royal92-shaped facts to generate.", DefaultValueFactory = _ => count };

    private static Option<int> PartitionsOption(string description, int defaultPartitions = 1) =>
        new("--partitions") { Description = description, DefaultValueFactory = _ => defaultPartitions };

    private static int PartitionsOf(ParseResult parse, Option<int> partitions)
    {
        var count = parse.GetValue(partitions);
        return count is >= 1 and <= LoadOptions.MaxPartitions
            ? count
            : throw new UserError(string.Create(CultureInfo.InvariantCulture, $"--partitions must be from 1 to {LoadOptions.MaxPartitions:N0}, not {count:N0}"));
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object instead of a table." };

    private static int FactsOf(ParseResult parse, Option<int> facts)
    {
        var count = parse.GetValue(facts);
        return count >= 1 ? count : throw new UserError("--facts must be at least 1");
    }

    private static void PrintTable(TextWriter output, EnvironmentBenchResult r)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{r.Facts:N0} royal92-shaped facts, {r.Threads} threads (medians, ns per fact)"));
        output.WriteLine(string.Create(c, $"  encode, sequential        {r.EncodeNs,10:F1}"));
        output.WriteLine(string.Create(c, $"  encode, parallel          {r.EncodeParallelNs,10:F1}"));
        output.WriteLine(string.Create(c, $"  trie insertion            {r.InsertNs,10:F1}"));
        output.WriteLine(string.Create(c, $"  bulk add, sequential      {r.BulkNs,10:F1}"));
        output.WriteLine(string.Create(c, $"  bulk add, parallel        {r.BulkParallelNs,10:F1}"));
        output.WriteLine(string.Create(c, $"  speedup                   {r.Speedup,10:F2}x"));
        output.WriteLine(string.Create(c, $"  trie bytes per atom       {r.TrieBytesPerAtom,10:F1}"));
        output.WriteLine(string.Create(c, $"  encoded bytes per atom    {r.KeyBytesPerAtom,10:F1}"));
        output.WriteLine(string.Create(c, $"  argument index catch-up   {r.IndexNs,10:F1}"));
        output.WriteLine(string.Create(c, $"  index bytes per atom      {r.IndexBytesPerAtom,10:F1}"));
    }
}
