using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cluster.Tests;

/// <summary>
/// A <c>.paths</c> file in MORK's byte layout, written here from the layout (docs/encoding.md), whose
/// symbols are any bytes, as MORK's JSON and CSV imports make them: it loads byte for byte, is matched
/// with <c>#"…"</c>, and exported as text and as <c>.paths</c> it loads back as the same space.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class MorkSymbolTests(ClusterFixture fixture) : IDisposable
{
    // Names MORK may hold and MeTTa words cannot, and one that is a word.
    private static readonly byte[][] Names =
    [
        "PO Box 495Springville, UT 84663USA"u8.ToArray(),
        "a(b"u8.ToArray(),
        "b)"u8.ToArray(),
        "say \"hi\""u8.ToArray(),
        "x;y"u8.ToArray(),
        "$not-a-variable"u8.ToArray(),
        [(byte)'f', 0xFF, 0xFE],
        "007"u8.ToArray(),
        "#\"q"u8.ToArray(),
        "plain"u8.ToArray(),
    ];

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("orleanskb-mork-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Symbols_of_any_bytes_load_match_and_export_as_text_and_paths_without_loss()
    {
        // (addr NAME i): MORK's tags; then the empty symbol, which only our extension tag can hold
        // (its short tag would be a new variable). Records in no particular order, as MORK's are.
        var records = Names.Select((name, i) => (byte[])[0x03, .. Token("addr"u8), .. Token(name), .. Token(Encoding.ASCII.GetBytes($"{i}"))]).ToList();
        records.Add([0x03, .. Token("addr"u8), 0x41, 0x00, .. Token("99"u8)]);
        records.Reverse();
        var file = Path.Combine(_folder.FullName, "mork.paths");
        await File.WriteAllBytesAsync(file, HandMadePaths.Of(records));

        var space = fixture.NewSpace();
        await space.LoadAsync(LoadSource.File(file));
        Assert.Equal(records.Count, await space.CountAsync());

        // Matched by a symbol written #"…", and printed so.
        var pattern = MettaReader.Parse("(addr #\"PO Box 495Springville, UT 84663USA\" $i)")[0];
        Assert.Equal([Atom.Integer(0)], await space.MatchAsync(pattern, Atom.Variable("i")).ToListAsync());
        var byNumber = await space.MatchAsync(MettaReader.Parse("(addr $name 6)")[0], Atom.Variable("name")).ToListAsync();
        Assert.Equal("#\"f\\xFF\\xFE\"", MettaPrinter.Print(Assert.Single(byNumber)));
        Assert.True(await space.ContainsAsync(MettaReader.Parse("(addr #\"$not-a-variable\" 5)")[0]));
        Assert.True(await space.ContainsAsync(MettaReader.Parse("(addr #\"\" 99)")[0]));
        Assert.True(await space.ContainsAsync(MettaReader.Parse("(addr plain 9)")[0]));

        // .paths out: the same records, byte for byte; only the empty symbol needs our extension.
        var exported = Path.Combine(_folder.FullName, "exported.paths");
        await using (var output = File.Create(exported))
        {
            Assert.Equal((records.Count, 1L), await space.ExportPathsAsync(output));
        }

        Assert.Equal(Sorted(records), Records(exported));

        // Text out, then both loaded back: the same space.
        var text = Path.Combine(_folder.FullName, "exported.metta");
        await File.WriteAllLinesAsync(text, await space.ExportAsync().Select(MettaPrinter.Print).ToListAsync());
        Assert.Contains("(addr #\"say \\\"hi\\\"\" 3)", await File.ReadAllLinesAsync(text));
        foreach (var source in new[] { exported, text })
        {
            var copy = fixture.NewSpace();
            await copy.LoadAsync(LoadSource.File(source));
            Assert.Equal(records.Count, await copy.CountAsync());
            var again = Path.Combine(_folder.FullName, $"again-{Guid.NewGuid():N}.paths");
            await using (var output = File.Create(again))
            {
                await copy.ExportPathsAsync(output);
            }

            Assert.Equal(await File.ReadAllBytesAsync(exported), await File.ReadAllBytesAsync(again));
        }
    }

    [Fact]
    public async Task Rules_are_found_by_a_head_whose_name_holds_bytes_that_are_not_UTF8()
    {
        var space = fixture.NewSpace();
        var rule = MettaReader.Parse("(= (#\"f\\xFF\" $x0) (g $x0))")[0];
        await space.AddRulesAsync([rule]);
        var head = (SymbolAtom)((ExpressionAtom)((ExpressionAtom)rule)[1])[0];

        Assert.Equal("f\uDCFF", head.Name);
        Assert.Equal([MettaPrinter.Print(rule)], await space.MatchingRulesAsync(head.Name, 1).Select(MettaPrinter.Print).ToListAsync());
        Assert.Empty(await space.MatchingRulesAsync("f\uFFFD", 1).ToListAsync());
    }

    private static byte[] Token(ReadOnlySpan<byte> bytes) => [(byte)(0xC0 | bytes.Length), .. bytes];

    private static List<byte[]> Sorted(IEnumerable<byte[]> records) =>
        [.. records.Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))];

    private static List<byte[]> Records(string path)
    {
        using var file = File.OpenRead(path);
        return [.. PathsFormat.ReadRecords(file, path, 1 << 20).Select(record => record.ToArray())];
    }
}
