using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

public sealed class FileSegmentsTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("orleanskb-segments-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static List<Atom> ReadSegments(string path, List<FileSegment> segments) =>
        [.. segments.SelectMany(segment =>
        {
            using var reader = new MettaReader(new FileSegmentStream(path, segment), path);
            return reader.ReadAll().ToList();
        })];

    private static List<Atom> ReadWhole(string path)
    {
        using var reader = MettaReader.OpenFile(path);
        return [.. reader.ReadAll()];
    }

    [Fact]
    public void Segments_read_alone_give_the_file_s_atoms_in_order()
    {
        // Multi-line strings and quoted symbols, comments with parentheses and quotes, quotes inside
        // words, nesting across lines, CRLF: everything that could fool a cut, repeated past several segments.
        var text = new StringBuilder();
        var facts = Royal92ShapedFacts.Generate(60_000);
        for (var i = 0; i < facts.Length; i++)
        {
            text.Append(MettaPrinter.Print(facts[i])).Append(i % 7 == 0 ? "\r\n" : "\n");
            if (i % 1000 == 0)
            {
                text.Append("; a comment with ( and \" in it\n(multi \"line one\nline (two\n\\\"three\" word\"with\"quotes\n  (nested\n   (deeper x)))\n");
                text.Append("(quoted #\"a ) b\nline (two\\\" ;\" #x\"y (#\"\"))\n(f #\"k\"\"a)b\"\n g)\n");
            }
        }

        var path = Path.Combine(_scratch, "generated.metta");
        File.WriteAllText(path, text.ToString());

        var segments = FileSegments.Split(path, 4);

        Assert.True(segments.Count >= 2, $"{segments.Count} segments");
        Assert.Equal(new FileInfo(path).Length, segments.Sum(s => s.Length));
        Assert.Equal(ReadWhole(path), ReadSegments(path, segments));
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Real_files_split_into_readable_segments(string file, int atoms)
    {
        var path = TestData.PathOf(file);
        var segments = FileSegments.Split(path, 2);

        Assert.Equal(atoms, ReadSegments(path, segments).Count);
        Assert.Equal(ReadWhole(path), ReadSegments(path, segments));
    }

    [Fact]
    public void A_cut_the_reader_would_not_make_is_possible_and_shows_as_an_error_in_a_segment()
    {
        // The scan does not know Unicode whitespace: after a no-break space it takes '"' for part of
        // a word, so it may cut inside the string. Readers of the segments then fail, which is why
        // loaders fall back to one sequential read when a segment fails.
        var path = Path.Combine(_scratch, "trap.metta");
        File.WriteAllText(path, "a\u00A0\"" + new string('x', 3 << 20) + "\n(b)\"\n");

        var segments = FileSegments.Split(path, 2);

        Assert.Equal(2, ReadWhole(path).Count);
        Assert.Equal(2, segments.Count);
        Assert.Throws<MettaSyntaxException>(() => ReadSegments(path, segments));
    }
}
