using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OrleansKb.Codec;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>MORK's <c>.paths</c> format: written and read back, read from a file made by hand to the format's description, and refused when damaged.</summary>
public sealed class PathsFormatTests
{
    private static List<byte[]> Read(byte[] file) => [.. PathsFormat.ReadRecords(new MemoryStream(file), "test.paths", 64 << 20).Select(r => r.ToArray())];

    /// <summary>A .paths file built byte by byte: a zlib stream of [u32 LE length][bytes] records.</summary>
    private static byte[] HandMade(params byte[][] records) => HandMadePaths.Of(records);

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p is string text ? Encoding.UTF8.GetBytes(text) : [(byte)(int)p])];

    [Fact]
    public void An_empty_file_or_a_header_alone_is_refused_and_a_whole_empty_stream_is_no_atoms()
    {
        // zlib's own compression of no bytes (Python: zlib.compress(b"")).
        var empty = Convert.FromHexString("789C030000000001");
        Assert.Empty(Read(empty));
        Assert.Throws<InvalidDataException>(() => Read([]));
        Assert.Throws<InvalidDataException>(() => Read(empty[..2]));

        // An empty space is written as that stream (ZLibStream alone would write nothing at all).
        var written = new MemoryStream();
        new PathsWriter(written).Dispose();
        Assert.Equal(empty, written.ToArray());
    }

    [Fact]
    public void A_hand_made_file_in_MORKs_encoding_reads_as_its_atoms()
    {
        // (parent Tom Bob), (f $x $y $x) and (f ()) in MORK's tags: arity, symbol of s bytes (0xC0 + s), NewVar, VarRef.
        var file = HandMade(
            Bytes(0x03, 0xC6, "parent", 0xC3, "Tom", 0xC3, "Bob"),
            Bytes(0x04, 0xC1, "f", 0xC0, 0xC0, 0x80),
            Bytes(0x02, 0xC1, "f", 0x00));

        var atoms = Read(file).Select(r => MettaPrinter.Print(AtomDecoder.Decode(r))).ToList();

        Assert.Equal(["(parent Tom Bob)", "(f $x0 $x1 $x0)", "(f ())"], atoms);
        Assert.All(Read(file), r => Assert.False(PathsFormat.UsesExtensions(r)));
    }

    [Fact]
    public void Atoms_written_read_back_the_same_and_those_MORK_cannot_read_are_counted()
    {
        var atoms = MettaReader.Parse(TestData.ReadText("aunt-kg/toy.metta"))
            .Concat(MettaReader.Parse($"({new string('s', 64)} 1) (wide {string.Join(' ', Enumerable.Range(0, 64))}) ({string.Join(' ', Enumerable.Range(0, 65).Select(i => $"$v{i}"))} $v64)"))
            .Select(AtomEncoder.Encode)
            .ToList();
        var file = new MemoryStream();
        long extended;
        using (var writer = new PathsWriter(file))
        {
            atoms.ForEach(a => writer.Write(a));
            extended = writer.Extended;
            Assert.Equal(atoms.Count, writer.Atoms);
        }

        Assert.Equal(3, extended);
        Assert.Equal(atoms.Select(Convert.ToHexString), Read(file.ToArray()).Select(Convert.ToHexString));

        // And what we write is a zlib stream of length-prefixed records, as MORK reads it.
        using var plain = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(file.ToArray()), CompressionMode.Decompress))
        {
            zlib.CopyTo(plain);
        }

        Assert.Equal(atoms.Sum(a => 4 + a.Length), plain.Length);
        Assert.Equal((uint)atoms[0].Length, BinaryPrimitives.ReadUInt32LittleEndian(plain.ToArray()));
    }

    [Theory]
    [InlineData("truncated length", "the stream ends inside the record's length")]
    [InlineData("empty record", "an empty record")]
    [InlineData("truncated record", "the stream ends inside the record")]
    [InlineData("two atoms in one record", "bytes after the atom's end")]
    [InlineData("reserved tag", "not an encoded atom")]
    [InlineData("not zlib", "the zlib stream is damaged or is not one")]
    [InlineData("cut before its checksum", "the zlib stream is cut short")]
    [InlineData("followed by other data", "followed by other data")]
    public void A_damaged_file_is_refused_naming_the_record(string damage, string reason)
    {
        var good = Bytes(0x02, 0xC1, "a", 0xC1, "b");
        var file = damage switch
        {
            "truncated length" => HandMadePaths.Zlib([.. HandMadePaths.Prefixed(good), 0x01, 0x00]),
            "empty record" => HandMade(good, []),
            "truncated record" => HandMadePaths.Zlib([.. HandMadePaths.Prefixed(good), 0x09, 0x00, 0x00, 0x00, 0x02, 0xC1]),
            "two atoms in one record" => HandMade(good, [.. good, .. good]),
            "reserved tag" => HandMade(good, Bytes(0x02, 0x50, 0xC1, "b")),
            "cut before its checksum" => HandMade(good, good)[..^4],
            "followed by other data" => [.. HandMade(good, good), 0x00],
            _ => Encoding.UTF8.GetBytes("(parent Tom Bob)\n"),
        };

        var error = Assert.Throws<InvalidDataException>(() => Read(file));

        Assert.StartsWith(damage switch { "not zlib" => "test.paths: record 1 ", "cut before its checksum" or "followed by other data" => "test.paths: record 3 ", _ => "test.paths: record 2 " }, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
