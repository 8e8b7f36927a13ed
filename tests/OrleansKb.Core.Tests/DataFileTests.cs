using OrleansKb.Codec;
using OrleansKb.Tests.Reference;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>The reader on the real knowledge bases bundled in samples/, checked against the independent reference reader.</summary>
public sealed class DataFileTests
{
    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Reads_every_atom_of_the_file_as_the_reference_reader_does(string file, int expectedAtoms)
    {
        var atoms = TestData.ReadAtoms(file);
        var reference = ReferenceReader.ReadAll(TestData.ReadText(file));

        Assert.Equal(expectedAtoms, atoms.Count);
        Assert.Equal(reference, atoms);
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Fast_path_gives_the_same_bytes_as_encoding_the_atoms(string file, int expectedAtoms)
    {
        var fromText = TestData.ReadEncoded(file);
        var fromAtoms = TestData.ReadAtoms(file).Select(AtomEncoder.Encode).ToList();

        Assert.Equal(expectedAtoms, fromText.Count);
        Assert.Equal(fromAtoms, fromText);
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void A_tiny_buffer_reads_the_same_as_a_large_one(string file, int expectedAtoms)
    {
        // 16 bytes forces a refill inside nearly every atom, and buffer growth for the longer ones.
        Assert.Equal(TestData.ReadAtoms(file), TestData.ReadAtoms(file, bufferSize: 16));
        Assert.Equal(TestData.ReadEncoded(file), TestData.ReadEncoded(file, bufferSize: 16, batchBytes: 100));
        Assert.Equal(expectedAtoms, TestData.ReadEncoded(file, bufferSize: 37).Count);
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Canonical_text_reads_back_to_the_same_atoms(string file, int expectedAtoms)
    {
        var atoms = TestData.ReadAtoms(file);
        var canonical = string.Join('\n', atoms.Select(MettaPrinter.Print));

        var reread = MettaReader.Parse(canonical);

        Assert.Equal(expectedAtoms, reread.Count);
        Assert.Equal(atoms, reread);
        Assert.Equal(atoms, ReferenceReader.ReadAll(canonical));
    }

    [Theory]
    [MemberData(nameof(TestData.ValidFiles), MemberType = typeof(TestData))]
    public void Bytes_decode_to_alpha_equivalent_atoms_and_re_encode_identically(string file, int expectedAtoms)
    {
        var atoms = TestData.ReadAtoms(file);
        var writer = new EncodedAtomWriter();
        foreach (var atom in atoms)
        {
            AtomEncoder.Append(atom, writer);
        }

        var decoded = AtomDecoder.DecodeAll(writer.WrittenSpan);

        Assert.Equal(expectedAtoms, AtomDecoder.CountAtoms(writer.WrittenSpan));
        Assert.Equal(atoms.Count, decoded.Count);
        for (var i = 0; i < atoms.Count; i++)
        {
            Assert.True(OrleansKb.Atoms.Atom.AlphaEquivalent(atoms[i], decoded[i]), $"atom {i}: {atoms[i]} vs {decoded[i]}");
            Assert.Equal(AtomEncoder.Encode(atoms[i]), AtomEncoder.Encode(decoded[i]));
        }
    }

    [Theory]
    [MemberData(nameof(TestData.MalformedFiles), MemberType = typeof(TestData))]
    public void Malformed_file_fails_at_the_documented_line(string file, int line)
    {
        var error = Assert.Throws<MettaSyntaxException>(() => TestData.ReadAtoms(file));
        var smallBuffer = Assert.Throws<MettaSyntaxException>(() => TestData.ReadEncoded(file, bufferSize: 16));
        var reference = Assert.Throws<ReferenceSyntaxException>(() => ReferenceReader.ReadAll(TestData.ReadText(file)));

        Assert.Equal(line, error.Line);
        Assert.Equal(line, reference.Line);
        Assert.Equal(error.Message, smallBuffer.Message);
        Assert.StartsWith($"{file}:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Royal92_simple_has_the_documented_facts_and_hocomoco_one_duplicate()
    {
        var heads = TestData.ReadAtoms("aunt-kg/royal92_simple.metta")
            .GroupBy(a => ((OrleansKb.Atoms.ExpressionAtom)a)[0].ToString())
            .ToDictionary(g => g.Key, g => g.Count());
        var hocomoco = TestData.ReadEncoded("das/hocomoco_nodes.metta");

        Assert.Equal(2810, heads["parent"]);
        Assert.Equal(1311, heads["female"]);
        Assert.Equal(1686, heads["male"]);
        Assert.Equal(3001, heads["hasName"]);
        Assert.Equal(3001, heads["hasId"]);
        Assert.Equal(2807, hocomoco.Count);
        Assert.Equal(2806, hocomoco.Select(Convert.ToBase64String).Distinct().Count());
        Assert.Equal(53442, TestData.ReadEncoded("aunt-kg/royal92.metta").Select(Convert.ToBase64String).Distinct().Count());
    }
}
