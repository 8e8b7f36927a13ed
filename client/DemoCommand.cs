using System.CommandLine;
using System.Globalization;
using OrleansKb.Client;
using OrleansKb.Hosting;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>
/// <c>orleanskb demo</c>: the product in one command — start a silo in this process, load a knowledge
/// base into a space, and run a few lookups.
/// </summary>
internal static class DemoCommand
{
    private static readonly string[] Lookups = ["(Individuals 8 (Title \"Prince\"))", "(Individuals 8 (Title \"King\"))"];

    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The knowledge base to load.",
            DefaultValueFactory = _ => Path.Combine("samples", "aunt-kg", "royal92.metta"),
        };
        var command = new Command("demo", "Start an embedded silo, load a knowledge base (the bundled royal92 genealogy by default) and run a few lookups.")
        {
            file,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            InputFiles.Check(path);

            var c = CultureInfo.InvariantCulture;
            output.WriteLine("Starting a silo in this process, its spaces in memory only (nothing is written to disk)…");
            await using var cluster = await EmbeddedCluster.StartAsync(ephemeral: true, cancellationToken: ct);
            var space = cluster.Space("demo");

            var result = await space.LoadAsync(LoadSource.File(path), cancellationToken: ct);
            output.WriteLine(string.Create(c, $"Loaded {path}: {result.AtomsRead:N0} atoms read, {result.AtomsAdded:N0} distinct, in {result.Elapsed.TotalSeconds:F2} s ({result.AtomsPerSecond:N0} atoms/s)."));

            // The first load also pays for .NET compiling the code it runs; a second load, into a
            // fresh space, shows the steady state a long-running silo and client see.
            var warm = cluster.Space("demo-warm");
            var again = await warm.LoadAsync(LoadSource.File(path), cancellationToken: ct);
            await warm.ClearAsync(ct);
            output.WriteLine(string.Create(c, $"Again, into a fresh space, now that the code is compiled: {again.Elapsed.TotalSeconds:F2} s ({again.AtomsPerSecond:N0} atoms/s)."));
            output.WriteLine("  (The first load includes .NET compiling the code as it first runs. Files of millions of atoms load at 1-2 M atoms/s: see docs/benchmarks.md.)");
            var count = await space.CountAsync(ct);
            output.WriteLine(string.Create(c, $"Space '{space.Name}' holds {count:N0} atoms."));

            output.WriteLine("First atoms, in key order:");
            var shown = 0;
            await foreach (var atom in space.ExportAsync(ct))
            {
                output.WriteLine("  " + MettaPrinter.Print(atom));
                if (++shown == 3)
                {
                    break;
                }
            }

            foreach (var text in Lookups)
            {
                var found = await space.ContainsAsync(MettaReader.Parse(text)[0], ct);
                output.WriteLine($"contains {text}: {(found ? "true" : "false")}");
            }

            var princes = await space.MatchCountAsync(MettaReader.Parse("(Individuals $i (Title \"Prince\"))")[0], cancellationToken: ct);
            output.WriteLine(string.Create(c, $"match (Individuals $i (Title \"Prince\")) --count: {princes}"));
            await foreach (var name in space.MatchAsync(
                MettaReader.Parse("(, (Individuals $i (Title \"Queen\")) (Individuals $i (Fullname $n)))")[0], MettaReader.Parse("$n")[0], limit: 3, ct))
            {
                output.WriteLine("a queen: " + MettaPrinter.Print(name));
            }

            await space.AddRulesAsync(MettaReader.Parse("(= (title $person) (match &self (Individuals $person (Title $t)) $t))"), cancellationToken: ct);
            await foreach (var rule in space.MatchingRulesAsync("title", 1, ct))
            {
                output.WriteLine("rule for (title, 1): " + MettaPrinter.Print(rule));
            }

            output.WriteLine("Next: run a silo with `dotnet run --project silo` (it keeps its spaces on disk), then `orleanskb load FILE`, `count`, `export` (see README).");
            return 0;
        });
        return command;
    }
}
