using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Tests;
using OrleansKb.Text;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>The program of docs/library.md, run as its reader would run it, against a silo.</summary>
[Collection(SharedSiloProcess.Name)]
public sealed class LibrarySampleTests(SiloProcessFixture fixture)
{
    [Fact]
    public async Task The_library_sample_loads_matches_and_exports_through_the_client_library()
    {
        var file = TestData.PathOf("aunt-kg/royal92_simple.metta");
        var export = Path.Combine(Path.GetTempPath(), $"library-sample-{Guid.NewGuid():N}.metta");
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { Binaries.LibrarySample, fixture.Silo.Gateway, file, export }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var sample = Process.Start(start)!;
        var output = sample.StandardOutput.ReadToEndAsync();
        var error = sample.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await sample.WaitForExitAsync(timeout.Token);
        try
        {
            Assert.True(sample.ExitCode == 0, await error);
            var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("loaded 11809 atoms, ", lines[0], StringComparison.Ordinal);
            Assert.Equal(5, lines.Count(line => line.StartsWith("(mother ", StringComparison.Ordinal)));
            var atoms = MettaReader.Parse(File.ReadAllText(file));
            Assert.Contains($"{Mothers(atoms)} solutions in all", lines);
            Assert.Equal(atoms.Select(MettaPrinter.Print).Order(StringComparer.Ordinal), File.ReadLines(export).Order(StringComparer.Ordinal));
        }
        finally
        {
            File.Delete(export);
        }
    }

    /// <summary>The solutions of <c>(, (parent $m $x) (female $m))</c> in a file of distinct flat facts, counted here.</summary>
    private static int Mothers(List<Atom> facts)
    {
        var expressions = facts.OfType<ExpressionAtom>().ToList();
        var females = expressions.Where(f => f[0] == Atom.Symbol("female")).Select(f => f[1]).ToHashSet();
        return expressions.Count(f => f[0] == Atom.Symbol("parent") && females.Contains(f[1]));
    }
}
