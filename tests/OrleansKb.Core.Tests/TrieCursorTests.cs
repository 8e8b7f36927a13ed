using OrleansKb.Codec;
using OrleansKb.Storage;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>The trie walked the way the pattern matcher will walk it.</summary>
public sealed class TrieCursorTests
{
    private static (ByteTrie Trie, List<byte[]> Keys) Build()
    {
        var atoms = Royal92ShapedFacts.Generate(400)
            .Concat(GeneratedRules.Generate(200))
            .Concat(MettaReader.Parse("(edge $x $x) (edge a b) (" + new string('s', 70) + " $v) (wide " + string.Join(' ', Enumerable.Range(0, 70)) + ")"));
        var trie = new ByteTrie();
        foreach (var atom in atoms)
        {
            trie.Add(AtomEncoder.Encode(atom));
        }

        var keys = new List<byte[]>();
        foreach (var key in trie.EnumerateKeys())
        {
            keys.Add(key.ToArray());
        }

        return (trie, keys);
    }

    private static List<byte[]> Skipped(ByteTrie trie, ReadOnlySpan<byte> prefix, out List<bool> ends)
    {
        var position = ByteTrie.Start;
        Assert.True(trie.TryDescend(ref position, prefix));
        var items = new List<byte[]>();
        var atKeyEnd = new List<bool>();
        trie.SkipItem(position, (end, item) =>
        {
            items.Add(item.ToArray());
            atKeyEnd.Add(trie.IsKeyEnd(end));
        });
        ends = atKeyEnd;
        return items;
    }

    [Fact]
    public void Skipping_one_item_from_the_start_visits_every_key_in_order()
    {
        var (trie, keys) = Build();

        var items = Skipped(trie, [], out var ends);

        Assert.Equal(keys, items);
        Assert.All(ends, Assert.True);
    }

    [Fact]
    public void Skipping_one_item_inside_keys_matches_a_scan_of_the_keys()
    {
        var (trie, keys) = Build();

        // From after each distinct expression header and after each distinct header + head item.
        var prefixes = keys.Select(k => k[..1])
            .Concat(keys.Select(k => k[..(1 + EncodedItem.Length(k.AsSpan(1)))]))
            .DistinctBy(Convert.ToBase64String)
            .ToList();
        foreach (var prefix in prefixes)
        {
            var expected = keys
                .Where(k => k.AsSpan().StartsWith(prefix) && k.Length > prefix.Length)
                .Select(k => k.AsSpan(prefix.Length, EncodedItem.Length(k.AsSpan(prefix.Length))).ToArray())
                .DistinctBy(Convert.ToBase64String)
                .ToList();

            var items = Skipped(trie, prefix, out _);

            Assert.True(expected.Count == items.Count && expected.Zip(items).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
                $"prefix {Convert.ToHexString(prefix)}: expected {string.Join(",", expected.Take(5).Select(Convert.ToHexString))} ({expected.Count}) got {string.Join(",", items.Take(5).Select(Convert.ToHexString))} ({items.Count})");
            var position = ByteTrie.Start;
            Assert.True(trie.TryDescend(ref position, prefix));
            Assert.Equal(keys.Count(k => k.AsSpan().StartsWith(prefix)), trie.CountBelow(position));
        }
    }

    [Fact]
    public void Descending_along_bytes_no_key_has_fails()
    {
        var (trie, keys) = Build();
        var position = ByteTrie.Start;

        Assert.False(trie.TryDescend(ref position, [0x03, 0xC1, (byte)'?']));
        position = ByteTrie.Start;
        Assert.True(trie.TryDescend(ref position, keys[0]));
        Assert.True(trie.IsKeyEnd(position));
        Assert.Equal(1, trie.CountBelow(position));
    }
}
