using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>A space's ranges of keys (docs/cluster.md, "Partitioned spaces"): routing, prefixes, split keys, the stored form.</summary>
public sealed class PartitionMapTests
{
    private static readonly byte[][] Keys = [.. Royal92ShapedFacts.Generate(20_000).Select(AtomEncoder.Encode)];

    private static PartitionMap MapOf(int partitions)
    {
        var splits = PartitionMap.SplitsOf(Keys, partitions);
        return new PartitionMap(1, [.. Enumerable.Range(0, splits.Length + 1)], splits);
    }

    [Fact]
    public void A_key_belongs_to_the_range_from_its_split_up_to_the_next()
    {
        var map = new PartitionMap(3, [0, 5, 2], [[0x10], [0x20, 0x01]]);

        Assert.Equal(0, map.IndexOf([]));
        Assert.Equal(0, map.IndexOf([0x0F, 0xFF]));
        Assert.Equal(1, map.IndexOf([0x10]));
        Assert.Equal(1, map.IndexOf([0x20]));
        Assert.Equal(1, map.IndexOf([0x20, 0x00, 0xFF]));
        Assert.Equal(2, map.IndexOf([0x20, 0x01]));
        Assert.Equal(2, map.IndexOf([0xFF]));
        Assert.Equal(5, map.Ids[1]);
        Assert.True(map.Low(0).IsEmpty);
        Assert.Null(map.High(2));
        Assert.Equal([0x10], map.High(0));
    }

    [Fact]
    public void Routing_sends_every_atom_to_the_one_partition_that_holds_it_and_keeps_key_order_across_partitions()
    {
        var map = MapOf(8);
        var batch = new EncodedAtomWriter();
        foreach (var key in Keys)
        {
            batch.AppendAtom(key);
        }

        var parts = Enumerable.Range(0, map.Count).Select(_ => new EncodedAtomWriter()).ToArray();
        map.Route(batch.WrittenSpan, parts);

        Assert.Equal(Keys.Length, parts.Sum(part => part.AtomCount));
        var concatenated = new List<byte[]>();
        for (var i = 0; i < parts.Length; i++)
        {
            var keys = AtomDecoder.DecodeAll(parts[i].WrittenSpan).Select(AtomEncoder.Encode).ToList();
            Assert.All(keys, key => Assert.True(map.Holds(i, key)));
            keys.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
            concatenated.AddRange(keys);
        }

        var sorted = Keys.ToList();
        sorted.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        Assert.Equal(sorted, concatenated);
    }

    [Fact]
    public void Split_keys_from_a_sample_divide_the_keys_into_parts_of_about_equal_size()
    {
        var sample = new KeySample(4096);
        foreach (var key in Keys)
        {
            sample.Offer(key);
        }

        var splits = PartitionMap.SplitsOf(sample.Keys, 4);
        var map = new PartitionMap(1, [0, 1, 2, 3], splits);
        var sizes = new int[4];
        foreach (var key in Keys)
        {
            sizes[map.IndexOf(key)]++;
        }

        Assert.All(sizes, size => Assert.InRange(size, Keys.Length / 4 * 0.85, Keys.Length / 4 * 1.15));
    }

    [Fact]
    public void A_sample_of_few_distinct_keys_gives_fewer_splits()
    {
        byte[][] sample = [[1], [1], [1], [2], [2], [2]];

        Assert.Equal([[2]], PartitionMap.SplitsOf(sample, 2));
        Assert.Equal([[1], [2]], PartitionMap.SplitsOf(sample, 6).Select(split => split).ToArray());
        Assert.Empty(PartitionMap.SplitsOf([], 4));
    }

    [Fact]
    public void The_partitions_a_prefix_overlaps_hold_every_key_with_that_prefix_and_no_more_than_the_ones_around_it()
    {
        var map = MapOf(8);
        foreach (var key in Keys.Take(2000))
        {
            for (var length = 0; length <= key.Length; length++)
            {
                var (first, last) = map.Overlapping(key.AsSpan(0, length));
                var holder = map.IndexOf(key);
                Assert.InRange(holder, first, last);
                Assert.True(first == 0 || map.Splits[first - 1].AsSpan().SequenceCompareTo(key.AsSpan(0, length)) <= 0);
            }

            Assert.Equal((map.IndexOf(key), map.IndexOf(key)), map.Overlapping(key));
        }
    }

    [Fact]
    public void A_prefix_ending_at_a_split_does_not_ask_the_partition_that_starts_at_its_successor()
    {
        var map = new PartitionMap(1, [0, 1, 2], [[0x10, 0x05], [0x11]]);

        Assert.Equal((0, 1), map.Overlapping([0x10]));
        Assert.Equal((2, 2), map.Overlapping([0x11]));
        Assert.Equal((0, 2), map.Overlapping([]));
        Assert.Equal((2, 2), map.Overlapping([0xFF, 0xFF]));
    }

    [Theory]
    [InlineData("(parent $p \"@I1972@\")")]
    [InlineData("(parent \"@I1972@\" $c)")]
    [InlineData("(parent \"@I30@\" \"@I31@\")")]
    [InlineData("(female $x)")]
    [InlineData("(male \"@I5@\")")]
    [InlineData("($rel \"@I40@\" $y)")]
    [InlineData("(likes (food $f) bob)")]
    [InlineData("$anything")]
    public void Matching_in_the_partitions_a_pattern_asks_finds_what_matching_in_all_of_them_finds(string text)
    {
        // Stored atoms with variables match a pattern's constants (two-way): their partitions are asked too.
        var atoms = Royal92ShapedFacts.Generate(6000).Concat(MettaReader.Parse(
            "(parent $who \"@I1972@\") ($r \"@I40@\" \"@I41@\") (parent \"@I30@\" $kid) (likes $what bob) (likes (food $x) $y) (female $z) $everything")).ToList();
        var keys = atoms.Select(AtomEncoder.Encode).ToArray();
        var splits = PartitionMap.SplitsOf(keys, 8);
        var map = new PartitionMap(1, [.. Enumerable.Range(0, splits.Length + 1)], splits);
        var parts = Enumerable.Range(0, map.Count).Select(_ => new AtomSpace()).ToArray();
        for (var i = 0; i < atoms.Count; i++)
        {
            parts[map.IndexOf(keys[i])].Add(atoms[i]);
        }

        var pattern = Assert.Single(MettaReader.Parse(text));
        var asked = map.PartitionsFor(AtomEncoder.Encode(pattern));
        string Results(IEnumerable<int> partitions) => string.Join('\n', partitions.SelectMany(i => parts[i].Match(pattern, pattern)).Select(MettaPrinter.Print).Order(StringComparer.Ordinal));

        Assert.NotEmpty(Results(Enumerable.Range(0, map.Count)));
        Assert.Equal(Results(Enumerable.Range(0, map.Count)), Results(asked));
        if (text.StartsWith("(parent \"", StringComparison.Ordinal) || text.StartsWith("(parent $p", StringComparison.Ordinal))
        {
            Assert.InRange(asked.Count, 1, 3);
        }
    }

    [Fact]
    public void The_stored_form_reads_back_and_damage_is_told()
    {
        var map = MapOf(5);
        var bytes = map.ToBytes();
        var read = PartitionMap.FromBytes(bytes);

        Assert.Equal(map.Epoch, read.Epoch);
        Assert.Equal(map.Ids, read.Ids);
        Assert.Equal(map.Splits, read.Splits);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => PartitionMap.FromBytes(bytes.AsSpan(0, length)));
        }

        Assert.Throws<InvalidDataException>(() => PartitionMap.FromBytes([.. bytes, 0]));
    }

    [Fact]
    public void Retiring_partitions_and_numbers_given_are_kept_in_the_stored_form_and_a_map_without_them_is_stored_as_before()
    {
        var map = MapOf(3);
        Assert.Equal(1, map.ToBytes()[0]);

        var retiring = map.WithRetiring([map.NextId + 4, 0, map.Ids[1], map.NextId + 1, map.NextId + 1]);
        Assert.Equal([map.NextId + 1, map.NextId + 4], retiring.Retiring);
        Assert.Equal(map.NextId + 5, retiring.NextId);
        var bytes = retiring.ToBytes();
        Assert.Equal(2, bytes[0]);
        var read = PartitionMap.FromBytes(bytes);
        Assert.Equal(retiring.Retiring, read.Retiring);
        Assert.Equal(map.Ids, read.Ids);
        Assert.Equal(map.Splits, read.Splits);
        Assert.Equal(retiring.Retiring, read.Redivided(read.Splits).Retiring);
        Assert.Equal(retiring.Retiring, read.SplitAt(0, read.Splits[0][..^1]).Retiring);

        // Numbers once given stay given once their partitions are gone.
        var gone = read.WithRetiring([]);
        Assert.Empty(gone.Retiring);
        Assert.Equal(map.NextId + 5, gone.NextId);
        Assert.Equal(map.NextId + 5, PartitionMap.FromBytes(gone.ToBytes()).NextId);
        Assert.Equal(map.NextId + 5, gone.Redivided(gone.Splits).Ids[0]);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => PartitionMap.FromBytes(bytes.AsSpan(0, length)));
        }

        Assert.Throws<ArgumentException>(() => new PartitionMap(1, [0, 1], [[1]], [1]));
    }

    [Fact]
    public void A_map_refuses_splits_out_of_order_and_numbers_used_twice()
    {
        Assert.Throws<ArgumentException>(() => new PartitionMap(1, [0, 1], [[]]));
        Assert.Throws<ArgumentException>(() => new PartitionMap(1, [0, 1, 2], [[2], [1]]));
        Assert.Throws<ArgumentException>(() => new PartitionMap(1, [0, 1, 2], [[1], [1]]));
        Assert.Throws<ArgumentException>(() => new PartitionMap(1, [0, 0], [[1]]));
        Assert.Throws<ArgumentException>(() => new PartitionMap(1, [0, 1], []));
        Assert.Equal(1, PartitionMap.Single.Count);
        Assert.Equal(0, PartitionMap.Single.Epoch);
    }

    [Fact]
    public void A_sample_is_the_same_for_the_same_keys_and_never_larger_than_its_capacity()
    {
        var (one, two) = (new KeySample(100), new KeySample(100));
        foreach (var key in Keys)
        {
            one.Offer(key);
            two.Offer(key);
        }

        Assert.Equal(100, one.Keys.Count);
        Assert.Equal(Keys.Length, one.Seen);
        Assert.Equal(one.Keys, two.Keys);
    }
}
