using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>The commands that work on a space of the cluster (README.md, "Commands").</summary>
internal static class DataCommands
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEnumerable<Command> Create(ClusterOptions cluster, InputFiles inputs, TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "The .metta (or MORK .paths) files to load; - for standard input." };
        var loadFormat = new Option<string>("--format")
        {
            Description = "metta, or paths (MORK's serialised space); by default a file ending in .paths is paths, anything else metta.",
        };
        loadFormat.AcceptOnlyFromAmong("metta", "paths");
        var partitions = new Option<int?>("--partitions")
        {
            Description = $"Divide a new, empty space into this many partitions (1 to {LoadOptions.MaxPartitions:N0}) at split keys sampled from what is loaded (docs/cluster.md); a divided space keeps its partitions.",
            CustomParser = result => ParseCount<int>(result),
        };
        partitions.Validators.Add(result =>
        {
            if (result.GetValue(partitions) is { } n && (n < 1 || n > LoadOptions.MaxPartitions))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"--partitions must be from 1 to {LoadOptions.MaxPartitions:N0}, not {n:N0}"));
            }
        });
        var load = new Command("load", "Load .metta files (or MORK .paths files) into the space; a file with an error adds nothing.") { files, loadFormat, partitions };
        load.SetAction((parse, ct) =>
        {
            var names = parse.GetRequiredValue(files);
            foreach (var name in names)
            {
                InputFiles.Check(name);
            }

            return cluster.OnSpaceAsync(parse, async space =>
            {
                // The first file divides a new space: its atoms are the sample the split keys come from.
                var options = LoadOptions.Default with { Partitions = parse.GetValue(partitions) };
                foreach (var name in names)
                {
                    LoadFormat? format = parse.GetValue(loadFormat) switch { "paths" => LoadFormat.Paths, "metta" => LoadFormat.Metta, _ => null };
                    LoadResult result;
                    if (InputFiles.IsSeekableFile(name))
                    {
                        using var bar = ProgressLine.For(error, name);
                        result = await space.LoadAsync(LoadSource.File(name, format), options, bar, ct);
                        bar?.Finish();
                    }
                    else
                    {
                        using var stream = inputs.OpenStream(name);
                        result = await space.LoadAsync(LoadSource.Stream(stream, name, format), options, cancellationToken: ct);
                    }

                    options = LoadOptions.Default;

                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: {result.AtomsRead:N0} atoms read, {result.AtomsAdded:N0} added, {result.SpaceCount:N0} in space '{space.Name}'; {result.Elapsed.TotalSeconds:F2} s, {result.AtomsPerSecond:N0} atoms/s"));
                }
            }, ct);
        });

        var atoms = new Argument<string[]>("ATOM") { Arity = ArgumentArity.OneOrMore, Description = "Atoms in MeTTa text, e.g. '(parent Tom Bob)'." };
        var add = new Command("add", "Add atoms to the space.") { atoms };
        add.SetAction((parse, ct) =>
        {
            var parsed = ParseAtoms(parse.GetRequiredValue(atoms));
            return cluster.OnSpaceAsync(parse, async space =>
            {
                var added = await space.AddFactsAsync(parsed, cancellationToken: ct);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"added {added}"));
            }, ct);
        });

        var removeAtoms = new Argument<string[]>("ATOM") { Arity = ArgumentArity.OneOrMore, Description = "Atoms in MeTTa text." };
        var remove = new Command("remove", "Remove atoms from the space.") { removeAtoms };
        remove.SetAction((parse, ct) =>
        {
            var parsed = ParseAtoms(parse.GetRequiredValue(removeAtoms));
            return cluster.OnSpaceAsync(parse, async space =>
            {
                var removed = await space.RemoveAsync(parsed, ct);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"removed {removed}"));
            }, ct);
        });

        var atom = new Argument<string>("ATOM") { Description = "One atom in MeTTa text." };
        var contains = new Command("contains", "Say whether the space holds the atom (up to variable names).") { atom };
        contains.SetAction((parse, ct) =>
        {
            var parsed = SingleAtom(parse.GetRequiredValue(atom), "ATOM");
            return cluster.OnSpaceAsync(parse, async space => output.WriteLine(await space.ContainsAsync(parsed, ct) ? "true" : "false"), ct);
        });

        var count = new Command("count", "Print the number of atoms in the space.");
        count.SetAction((parse, ct) => cluster.OnSpaceAsync(parse, async space =>
            output.WriteLine((await space.CountAsync(ct)).ToString(CultureInfo.InvariantCulture)), ct));

        var info = new Command("info", "Print one JSON object about the space: atoms, rules, store, silo, log bytes, snapshot atoms and sequence, open matches.");
        info.SetAction((parse, ct) => cluster.OnSpaceAsync(parse, async space =>
            output.WriteLine(JsonSerializer.Serialize(await space.InfoAsync(ct), Json)), ct));

        var snapshot = new Command("snapshot", "Take a snapshot of the space now (recovery then reads it instead of replaying the log); print its info when published.");
        snapshot.SetAction((parse, ct) => cluster.OnSpaceAsync(parse, async space =>
            output.WriteLine(JsonSerializer.Serialize(await space.SnapshotAsync(ct), Json)), ct));

        var partitionCount = new Argument<int>("N")
        {
            Description = $"How many partitions (1 to {LoadOptions.MaxPartitions:N0}).",
            CustomParser = result => ParseCount<int>(result),
        };
        partitionCount.Validators.Add(result =>
        {
            if (result.GetValue(partitionCount) is var n && (n < 1 || n > LoadOptions.MaxPartitions))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"N must be from 1 to {LoadOptions.MaxPartitions:N0}, not {n:N0}"));
            }
        });
        var repartition = new Command(
            "repartition",
            "Divide the space anew into N partitions of about equal size, online: reads go on, writes meanwhile wait or are applied (docs/cluster.md). Print one JSON object: the partitions, the atoms copied, how long it took.")
        { partitionCount };
        repartition.SetAction((parse, ct) => cluster.OnSpaceAsync(parse, async space =>
        {
            output.WriteLine(JsonSerializer.Serialize(await space.RepartitionAsync(parse.GetRequiredValue(partitionCount), ct), Json));
        }, ct));

        var exportFormat = new Option<string>("--format") { Description = "metta (canonical text, one atom per line) or paths (MORK's serialised space, zlib-compressed; needs FILE).", DefaultValueFactory = _ => "metta" };
        exportFormat.AcceptOnlyFromAmong("metta", "paths");
        var exportFile = new Argument<string>("FILE") { Arity = ArgumentArity.ZeroOrOne, Description = "Where to write; standard output when left out (or -).", DefaultValueFactory = _ => "-" };
        var symbolsAsStrings = new Option<bool>("--symbols-as-strings")
        {
            Description = "Write each symbol that is not a MeTTa word (from MORK, JSON or CSV) as a string, for MeTTa readers other than OrleansKb's, and say how many; the text then no longer loads back as the same atoms.",
        };
        var export = new Command("export", "Write every atom of the space in key order: canonical text, one per line, or MORK's .paths format.") { exportFormat, exportFile, symbolsAsStrings };
        export.SetAction((parse, ct) =>
        {
            var file = parse.GetRequiredValue(exportFile);
            var paths = parse.GetRequiredValue(exportFormat) == "paths";
            if (paths && file == "-")
            {
                throw new UserError("--format paths writes binary data: give the FILE to write it to");
            }

            var forOtherReaders = parse.GetValue(symbolsAsStrings);
            if (paths && forOtherReaders)
            {
                throw new UserError("--symbols-as-strings is for text: a .paths file keeps every symbol's bytes");
            }

            return cluster.OnSpaceAsync(parse, async space =>
            {
                if (paths)
                {
                    // Written beside FILE and moved there once whole: an export that fails leaves no file that would load.
                    var partial = $"{file}.{Guid.NewGuid():N}.partial";
                    (long Atoms, long Extended) written;
                    try
                    {
                        await using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                        {
                            written = await space.ExportPathsAsync(stream, ct);
                        }

                        File.Move(partial, file, overwrite: true);
                    }
                    finally
                    {
                        File.Delete(partial);
                    }

                    output.WriteLine(written.Extended == 0
                        ? string.Create(CultureInfo.InvariantCulture, $"{file}: {written.Atoms:N0} atoms, all in MORK's encoding")
                        : string.Create(CultureInfo.InvariantCulture, $"{file}: {written.Atoms:N0} atoms; {written.Extended:N0} of them with OrleansKb's extension tags (a symbol over 63 bytes, more than 63 children or 64 variables), which MORK cannot read"));
                    return;
                }

                await using var target = file == "-" ? null : new StreamWriter(file);
                await using (var lines = new CanonicalLines(target ?? output, forOtherReaders))
                {
                    await foreach (var exported in space.ExportAsync(ct))
                    {
                        lines.Write(exported);
                    }

                    if (forOtherReaders)
                    {
                        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"orleanskb: {lines.SymbolsAsStrings:N0} symbols that are not MeTTa words were written as strings"));
                    }
                }
            }, ct);
        });

        var head = new Argument<string>("HEAD") { Description = "The head symbol." };
        var arity = new Argument<int>("ARITY") { Description = "The number of arguments (0 or more).", CustomParser = ParseCount<int> };
        var rules = new Command("rules", "Print the rules matching (HEAD, ARITY), in index order.") { head, arity };
        rules.SetAction((parse, ct) =>
        {
            var n = parse.GetValue(arity);
            return cluster.OnSpaceAsync(parse, async space =>
            {
                await using var lines = new CanonicalLines(output);
                await foreach (var rule in space.MatchingRulesAsync(parse.GetRequiredValue(head), n, ct))
                {
                    lines.Write(rule);
                }
            }, ct);
        });

        var pattern = new Argument<string>("PATTERN") { Description = "The pattern, e.g. '(parent $p Bob)' or a conjunction '(, (parent $m $x) (female $m))'." };
        var template = new Argument<string>("TEMPLATE") { Description = "What to print for each solution, e.g. '$p'." };
        var countOnly = new Option<bool>("--count") { Description = "Print only the number of solutions (at most --limit)." };
        var limit = new Option<long>("--limit") { Description = "Stop after N solutions.", DefaultValueFactory = _ => long.MaxValue, CustomParser = ParseCount<long> };
        var match = new Command("match", "Print TEMPLATE for each way a stored atom unifies with PATTERN, one per line.") { pattern, template, countOnly, limit };
        match.SetAction((parse, ct) =>
        {
            var patternAtom = SingleAtom(parse.GetRequiredValue(pattern), "PATTERN");
            var templateAtom = SingleAtom(parse.GetRequiredValue(template), "TEMPLATE");
            var most = parse.GetValue(limit);
            return cluster.OnSpaceAsync(parse, async space =>
            {
                if (parse.GetValue(countOnly))
                {
                    output.WriteLine((await space.MatchCountAsync(patternAtom, most, ct)).ToString(CultureInfo.InvariantCulture));
                    return;
                }

                await using var lines = new CanonicalLines(output);
                await foreach (var result in space.MatchAsync(patternAtom, templateAtom, most, ct))
                {
                    lines.Write(result);
                }
            }, ct);
        });

        var transformPattern = new Argument<string>("PATTERN") { Description = "The pattern: an atom or a conjunction '(, p1 … pn)'." };
        var transformTemplate = new Argument<string>("TEMPLATE") { Description = "What each solution adds: an atom or '(, t1 … tm)'; a template written '(- t)' removes t instead." };
        var into = new Option<string?>("--into") { Description = "The space to add to (created if missing); the same space when left out." };
        var transformLimit = new Option<long>("--limit") { Description = "Stop after N solutions.", DefaultValueFactory = _ => long.MaxValue, CustomParser = ParseCount<long> };
        var transformJson = new Option<bool>("--json") { Description = "Print the summary as one JSON object." };
        var fixpoint = new Option<bool>("--fixpoint") { Description = "Repeat rounds until one adds nothing new (in this space)." };
        var naive = new Option<bool>("--naive") { Description = "With --fixpoint: match every solution again each round, instead of only those using the round before's additions (to compare)." };
        var maxRounds = new Option<int>("--max-rounds") { Description = "With --fixpoint: stop after this many rounds, keeping what was added.", DefaultValueFactory = _ => KbSpace.DefaultMaxRounds, CustomParser = ParseCount<int> };
        var transform = new Command(
            "transform",
            "Derive atoms inside the cluster (docs/transform.md): for every solution of PATTERN, add each instantiated template (or remove it, for '(- t)'). Nothing but counts comes back.")
        { transformPattern, transformTemplate, into, transformLimit, fixpoint, maxRounds, naive, transformJson };
        transform.SetAction((parse, ct) =>
        {
            var patternAtom = SingleAtom(parse.GetRequiredValue(transformPattern), "PATTERN");
            var templateAtom = SingleAtom(parse.GetRequiredValue(transformTemplate), "TEMPLATE");
            return cluster.OnSpaceAsync(parse, async space =>
            {
                var timer = System.Diagnostics.Stopwatch.StartNew();
                TransformProgress done;
                using (var line = ProgressLine.ForTransform(error))
                {
                    try
                    {
                        done = await space.TransformAsync(
                            patternAtom, templateAtom, parse.GetValue(into), parse.GetValue(transformLimit), parse.GetValue(fixpoint), parse.GetValue(maxRounds), line, parse.GetValue(naive), ct);
                    }
                    catch (ArgumentException e)
                    {
                        throw new UserError($"transform: {e.Message}");
                    }
                    catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or UserError))
                    {
                        // A match that stopped (its budget, a result over the limit) stops again when run again.
                        var stopped = KbErrors.Classify(e);
                        throw new UserError(stopped.Kind == KbErrorKind.MatchStopped
                            ? $"transform stopped: {stopped.Message}; the atoms it had written are durable, the rest was not derived"
                            : $"transform stopped: {stopped.Message}; the atoms it had written are durable, and running it again completes it");
                    }
                }

                var summary = TransformSummary.Of(done, timer.Elapsed);
                if (parse.GetValue(transformJson))
                {
                    output.WriteLine(JsonSerializer.Serialize(summary, Json));
                }
                else
                {
                    var c = CultureInfo.InvariantCulture;
                    output.WriteLine(string.Create(c, $"{(done.Finished ? "" : "cancelled: ")}{summary.Solutions:N0} solutions, {summary.Added:N0} atoms added (new), {summary.Removed:N0} removed, {summary.Rounds} round{(summary.Rounds == 1 ? "" : "s")}; {summary.ElapsedMs / 1e3:F2} s, {summary.AtomsPerSecond:N0} atoms/s"));
                }

                if (done.Stopped is { } why)
                {
                    throw new UserError($"transform: {why}");
                }
            }, ct);
        });

        var clear = new Command("clear", "Remove every atom from the space.");
        clear.SetAction((parse, ct) => cluster.OnSpaceAsync(parse, async space =>
        {
            await space.ClearAsync(ct);
            output.WriteLine("cleared");
        }, ct));

        return [load, add, remove, contains, count, info, snapshot, repartition, export, rules, match, transform, clear];
    }

    /// <summary>A count given on the command line: a whole number from 0 to the type's largest, or a one-line parse error that says so.</summary>
    private static T ParseCount<T>(ArgumentResult result)
        where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        var text = result.Tokens is [var token] ? token.Value : "";
        if (T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return count;
        }

        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be a whole number from 0 to {T.MaxValue:N0}, not '{text}'"));
        return T.Zero;
    }

    private static Atom SingleAtom(string text, string what)
    {
        var atoms = MettaReader.Parse(text, what);
        return atoms.Count == 1 ? atoms[0] : throw new UserError($"{what} must be exactly one atom, not {atoms.Count}");
    }

    private static List<Atom> ParseAtoms(string[] texts) =>
        [.. texts.SelectMany((text, i) => MettaReader.Parse(text, $"argument {i + 1}"))];
}
