using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>The real MeTTa knowledge bases bundled in the repository (<c>samples/</c>, each folder with its licence) and helpers over them.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindDataRoot);

    /// <summary>Every valid data file with the number of atoms it holds.</summary>
    public static TheoryData<string, int> ValidFiles => new()
    {
        { "aunt-kg/adameve_simple.metta", 1839 },
        { "aunt-kg/lordOfTheRings.metta", 2165 },
        { "aunt-kg/lordOfTheRings_simple.metta", 419 },
        { "aunt-kg/royal92.metta", 53442 },
        { "aunt-kg/royal92_simple.metta", 11809 },
        { "aunt-kg/simpsons.metta", 191 },
        { "aunt-kg/simpsons_simple.metta", 45 },
        { "aunt-kg/toy.metta", 13 },
        { "bio/cell_ontology_edges.metta", 606 },
        { "bio/cell_ontology_nodes.metta", 251 },
        { "das/animals.metta", 43 },
        { "das/hocomoco_nodes.metta", 2807 },
        { "das/type_defs.metta", 280 },
    };

    /// <summary>The malformed data files with the line of their first error (data README).</summary>
    public static TheoryData<string, int> MalformedFiles => new()
    {
        { "aunt-kg/adameve.metta", 2436 },
        { "das/special_cases.metta", 5 },
    };

    public static string PathOf(string relative) => Path.Combine(Root.Value, relative);

    public static List<Atom> ReadAtoms(string relative, int bufferSize = 1 << 20)
    {
        using var reader = new MettaReader(File.OpenRead(PathOf(relative)), relative, bufferSize: bufferSize);
        return [.. reader.ReadAll()];
    }

    /// <summary>The file read by the fast path: each atom's encoding, in order.</summary>
    public static List<byte[]> ReadEncoded(string relative, int bufferSize = 1 << 20, int batchBytes = 1 << 16)
    {
        using var reader = new MettaReader(File.OpenRead(PathOf(relative)), relative, bufferSize: bufferSize);
        var writer = new EncodedAtomWriter();
        var result = new List<byte[]>();
        while (reader.ReadEncodedBatch(writer, batchBytes) > 0)
        {
            result.AddRange(SplitBatch(writer.WrittenSpan));
            writer.Clear();
        }

        return result;
    }

    public static List<byte[]> SplitBatch(ReadOnlySpan<byte> batch)
    {
        var atoms = new List<byte[]>();
        for (var offset = 0; offset < batch.Length;)
        {
            var length = AtomDecoder.Measure(batch[offset..]);
            atoms.Add(batch.Slice(offset, length).ToArray());
            offset += length;
        }

        return atoms;
    }

    public static string ReadText(string relative) => File.ReadAllText(PathOf(relative), Encoding.UTF8);

    private static string FindDataRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansKb.sln")))
            {
                var data = Path.Combine(dir.FullName, "samples");
                return Directory.Exists(data)
                    ? data
                    : throw new DirectoryNotFoundException($"The bundled data folder is missing: expected {data}.");
            }
        }

        throw new DirectoryNotFoundException("OrleansKb.sln not found above the test binaries.");
    }
}
