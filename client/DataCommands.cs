using System.CommandLine;
using System.Globalization;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>The commands that work on a space of the cluster (DESIGN.md command table).</summary>
internal static class DataCommands
{
    public static IEnumerable<Command> Create(ClusterOptions cluster, TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "The .metta files to load." };
        var load = new Command("load", "Load .metta files into the space; a file with an error adds nothing.") { files };
        load.SetAction(async (parse, ct) =>
        {
            await using var kb = await cluster.ConnectAsync(parse, ct);
            var space = kb.Space(parse.GetRequiredValue(cluster.Space));
            foreach (var path in parse.GetRequiredValue(files))
            {
                InputFiles.Check(path);

                using var bar = ProgressLine.For(error, path);
                var result = await space.LoadFileAsync(path, progress: bar, cancellationToken: ct);
                bar?.Finish();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: {result.AtomsRead:N0} atoms read, {result.AtomsAdded:N0} added, {result.SpaceCount:N0} in space '{space.Name}'; {result.Elapsed.TotalSeconds:F2} s, {result.AtomsPerSecond:N0} atoms/s"));
            }

            return 0;
        });

        var atoms = new Argument<string[]>("ATOM") { Arity = ArgumentArity.OneOrMore, Description = "Atoms in MeTTa text, e.g. '(parent Tom Bob)'." };
        var add = new Command("add", "Add atoms to the space.") { atoms };
        add.SetAction(async (parse, ct) =>
        {
            var parsed = ParseAtoms(parse.GetRequiredValue(atoms));
            await using var kb = await cluster.ConnectAsync(parse, ct);
            var added = await kb.Space(parse.GetRequiredValue(cluster.Space)).AddFactsAsync(parsed, cancellationToken: ct);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"added {added}"));
            return 0;
        });

        var removeAtoms = new Argument<string[]>("ATOM") { Arity = ArgumentArity.OneOrMore, Description = "Atoms in MeTTa text." };
        var remove = new Command("remove", "Remove atoms from the space.") { removeAtoms };
        remove.SetAction(async (parse, ct) =>
        {
            var parsed = ParseAtoms(parse.GetRequiredValue(removeAtoms));
            await using var kb = await cluster.ConnectAsync(parse, ct);
            var removed = await kb.Space(parse.GetRequiredValue(cluster.Space)).RemoveAsync(parsed);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"removed {removed}"));
            return 0;
        });

        var atom = new Argument<string>("ATOM") { Description = "One atom in MeTTa text." };
        var contains = new Command("contains", "Say whether the space holds the atom (up to variable names).") { atom };
        contains.SetAction(async (parse, ct) =>
        {
            var parsed = ParseAtoms([parse.GetRequiredValue(atom)]);
            if (parsed.Count != 1)
            {
                throw new UserError("contains takes exactly one atom");
            }

            await using var kb = await cluster.ConnectAsync(parse, ct);
            var found = await kb.Space(parse.GetRequiredValue(cluster.Space)).ContainsAsync(parsed[0]);
            output.WriteLine(found ? "true" : "false");
            return 0;
        });

        var count = new Command("count", "Print the number of atoms in the space.");
        count.SetAction(async (parse, ct) =>
        {
            await using var kb = await cluster.ConnectAsync(parse, ct);
            output.WriteLine((await kb.Space(parse.GetRequiredValue(cluster.Space)).CountAsync()).ToString(CultureInfo.InvariantCulture));
            return 0;
        });

        var export = new Command("export", "Print every atom of the space in canonical text, one per line.");
        export.SetAction(async (parse, ct) =>
        {
            await using var kb = await cluster.ConnectAsync(parse, ct);
            await using var lines = new CanonicalLines(output);
            await foreach (var exported in kb.Space(parse.GetRequiredValue(cluster.Space)).ExportAsync(ct))
            {
                lines.Write(exported);
            }

            return 0;
        });

        var head = new Argument<string>("HEAD") { Description = "The head symbol." };
        var arity = new Argument<int>("ARITY") { Description = "The number of arguments." };
        var rules = new Command("rules", "Print the rules matching (HEAD, ARITY), in index order.") { head, arity };
        rules.SetAction(async (parse, ct) =>
        {
            await using var kb = await cluster.ConnectAsync(parse, ct);
            await using var lines = new CanonicalLines(output);
            foreach (var rule in await kb.Space(parse.GetRequiredValue(cluster.Space)).MatchingRulesAsync(parse.GetRequiredValue(head), parse.GetValue(arity)))
            {
                lines.Write(rule);
            }

            return 0;
        });

        var pattern = new Argument<string>("PATTERN") { Description = "The pattern, e.g. '(parent $p Bob)' or a conjunction '(, (parent $m $x) (female $m))'." };
        var template = new Argument<string>("TEMPLATE") { Description = "What to print for each solution, e.g. '$p'." };
        var countOnly = new Option<bool>("--count") { Description = "Print only the number of solutions." };
        var limit = new Option<int>("--limit") { Description = "Print at most N results.", DefaultValueFactory = _ => int.MaxValue };
        var match = new Command("match", "Print TEMPLATE for each way a stored atom unifies with PATTERN, one per line.") { pattern, template, countOnly, limit };
        match.SetAction(async (parse, ct) =>
        {
            var patternAtom = SingleAtom(parse.GetRequiredValue(pattern), "PATTERN");
            var templateAtom = SingleAtom(parse.GetRequiredValue(template), "TEMPLATE");
            if (parse.GetValue(limit) < 0)
            {
                throw new UserError("--limit must not be negative");
            }

            await using var kb = await cluster.ConnectAsync(parse, ct);
            var space = kb.Space(parse.GetRequiredValue(cluster.Space));
            if (parse.GetValue(countOnly))
            {
                output.WriteLine((await space.MatchCountAsync(patternAtom)).ToString(CultureInfo.InvariantCulture));
                return 0;
            }

            await using var lines = new CanonicalLines(output);
            await foreach (var result in space.MatchAsync(patternAtom, templateAtom, parse.GetValue(limit), ct))
            {
                lines.Write(result);
            }

            return 0;
        });

        var clear = new Command("clear", "Remove every atom from the space.");
        clear.SetAction(async (parse, ct) =>
        {
            await using var kb = await cluster.ConnectAsync(parse, ct);
            await kb.Space(parse.GetRequiredValue(cluster.Space)).ClearAsync();
            output.WriteLine("cleared");
            return 0;
        });

        return [load, add, remove, contains, count, export, rules, match, clear];
    }

    private static Atom SingleAtom(string text, string what)
    {
        var atoms = MettaReader.Parse(text, what);
        return atoms.Count == 1 ? atoms[0] : throw new UserError($"{what} must be exactly one atom, not {atoms.Count}");
    }

    private static List<Atom> ParseAtoms(string[] texts) =>
        [.. texts.SelectMany((text, i) => MettaReader.Parse(text, $"argument {i + 1}"))];
}
