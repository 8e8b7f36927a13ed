using OrleansKb.Codec;
using OrleansKb.Storage;

namespace OrleansKb.Tests;

public sealed class ByteTrieTests
{
    private static readonly Comparer<byte[]> Lexicographic = Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b));

    private static List<byte[]> Keys(ByteTrie trie, byte[]? prefix = null)
    {
        var keys = new List<byte[]>();
        foreach (var key in trie.EnumerateKeys(prefix))
        {
            keys.Add(key.ToArray());
        }

        return keys;
    }

    /// <summary>Random operations against a sorted set of byte strings, checked after every step (enumeration, counts and keys by rank now and then).</summary>
    [Theory]
    [InlineData(1, 4, 2000)]
    [InlineData(2, 2, 3000)]
    [InlineData(3, 16, 2000)]
    [InlineData(4, 200, 400)]
    [InlineData(5, 3, 5000)]
    public void Behaves_like_a_sorted_set_under_random_adds_and_removes(int seed, int alphabet, int steps)
    {
        var random = new Random(seed);
        var trie = new ByteTrie();
        var reference = new SortedSet<byte[]>(Lexicographic);
        byte[] RandomKey()
        {
            var key = new byte[random.Next(0, 12)];
            for (var i = 0; i < key.Length; i++)
            {
                key[i] = (byte)random.Next(alphabet);
            }

            return key;
        }

        for (var step = 0; step < steps; step++)
        {
            var key = RandomKey();
            if (random.Next(3) == 0)
            {
                Assert.Equal(reference.Remove(key), trie.Remove(key));
            }
            else
            {
                Assert.Equal(reference.Add(key), trie.Add(key));
            }

            Assert.Equal(reference.Count, trie.Count);
            var probe = RandomKey();
            Assert.Equal(reference.Contains(probe), trie.Contains(probe));
            if (step % 53 == 0)
            {
                Assert.Equal(reference.ToList(), Keys(trie));
                var prefix = probe[..Math.Min(probe.Length, random.Next(0, 4))];
                var expected = reference.Where(k => k.AsSpan().StartsWith(prefix)).ToList();
                Assert.Equal(expected, Keys(trie, prefix));
                Assert.Equal(expected.Count, trie.CountWithPrefix(prefix));
                var after = new List<byte[]>();
                foreach (var greater in trie.EnumerateKeysAfter(probe))
                {
                    after.Add(greater.ToArray());
                }

                Assert.Equal(reference.Where(k => k.AsSpan().SequenceCompareTo(probe) > 0).ToList(), after);
                var ordered = reference.ToList();
                for (var rank = 0; rank < ordered.Count; rank += 1 + random.Next(5))
                {
                    Assert.Equal(ordered[rank], trie.KeyAt(rank));
                }

                Assert.Throws<ArgumentOutOfRangeException>(() => trie.KeyAt(ordered.Count));
            }
        }

        Assert.Equal(reference.ToList(), Keys(trie));
        var garbageBefore = trie.Memory.GarbageBytes;
        trie.Compact();
        var fresh = new ByteTrie();
        foreach (var key in reference)
        {
            fresh.Add(key);
        }

        // Compacting gives exactly the trie that adding the keys in order gives (splits alone leave a
        // few header bytes behind, never more than removals did).
        Assert.Equal(reference.ToList(), Keys(trie));
        Assert.Equal(fresh.Memory, trie.Memory);
        Assert.True(trie.Memory.GarbageBytes <= garbageBefore);
        foreach (var key in reference)
        {
            Assert.True(trie.Remove(key));
        }

        Assert.Equal(0, trie.Count);
        Assert.Empty(Keys(trie));
    }

    [Fact]
    public void Keys_that_are_prefixes_of_others_and_the_empty_key_are_kept_apart()
    {
        var trie = new ByteTrie();
        byte[][] keys = [[], [1], [1, 2], [1, 2, 3], [1, 3], [2]];
        foreach (var key in keys.Reverse())
        {
            Assert.True(trie.Add(key));
        }

        Assert.Equal(keys, Keys(trie));
        Assert.Equal(4, trie.CountWithPrefix([1]));
        Assert.Equal([[1, 2], [1, 2, 3]], Keys(trie, [1, 2]));
        Assert.True(trie.Remove([1, 2]));
        Assert.False(trie.Contains([1, 2]));
        Assert.True(trie.Contains([1, 2, 3]));
        Assert.Equal(5, trie.Count);
    }

    [Fact]
    public void Long_keys_and_wide_nodes_round_trip()
    {
        var trie = new ByteTrie();
        var keys = new List<byte[]>();
        for (var i = 0; i < 256; i++)
        {
            keys.Add([(byte)i, .. new byte[300]]);
            keys.Add([(byte)i, .. new byte[300], (byte)i]);
        }

        foreach (var key in keys)
        {
            Assert.True(trie.Add(key));
            Assert.False(trie.Add(key));
        }

        keys.Sort(Lexicographic);
        Assert.Equal(keys, Keys(trie));
        Assert.Equal(2, trie.CountWithPrefix([7, 0, 0]));
    }

    [Fact]
    public void Encoded_royal92_atoms_fit_in_less_than_their_raw_bytes()
    {
        var keys = TestData.ReadEncoded("aunt-kg/royal92.metta");
        var trie = new ByteTrie();
        foreach (var key in keys)
        {
            trie.Add(key);
        }

        var raw = keys.Sum(k => (long)k.Length);
        Assert.Equal(keys.Count, trie.Count);
        Assert.True(trie.Memory.LiveBytes < raw, $"trie {trie.Memory} vs raw {raw}");
        Assert.Equal(keys.OrderBy(k => k, Lexicographic).ToList(), Keys(trie));
        Assert.All(keys, k => Assert.True(trie.Contains(k)));
        Assert.Equal(keys.Count, AtomDecoder.CountAtoms(Keys(trie).SelectMany(k => k).ToArray()));
    }
}
