using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Storage;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>The trie walked along a pattern, a bounded amount at a time, as the matcher walks it.</summary>
public sealed class PatternWalkTests
{
    private static (ByteTrie Trie, List<byte[]> Keys) Build(int facts = 400, bool ground = false)
    {
        var atoms = ground
            ? Royal92ShapedFacts.Generate(facts).Concat(MettaReader.Parse("(edge a b) (wide " + string.Join(' ', Enumerable.Range(0, 70)) + ")"))
            : Royal92ShapedFacts.Generate(facts)
                .Concat(GeneratedRules.Generate(200))
                .Concat(MettaReader.Parse("(edge $x $x) (edge a b) (" + new string('s', 70) + " $v) (wide " + string.Join(' ', Enumerable.Range(0, 70)) + ")"));
        var trie = new ByteTrie();
        foreach (var atom in atoms)
        {
            trie.Add(AtomEncoder.Encode(atom));
        }

        return (trie, Keys(trie));
    }

    private static List<byte[]> Keys(ByteTrie trie)
    {
        var keys = new List<byte[]>();
        foreach (var key in trie.EnumerateKeys())
        {
            keys.Add(key.ToArray());
        }

        return keys;
    }

    private static byte[] Pattern(string text) => AtomEncoder.Encode(MettaReader.Parse(text)[0]);

    /// <summary>Every candidate of a walk, taking <paramref name="work"/> frames per call.</summary>
    private static List<byte[]> Walk(ByteTrie trie, byte[] pattern, int work = int.MaxValue)
    {
        var walk = new PatternWalk(trie);
        walk.Start(pattern);
        var found = new List<byte[]>();
        for (var calls = 0; calls < 10_000_000; calls++)
        {
            var allowance = work;
            var step = walk.Next(ref allowance);
            if (step == WalkStep.Done)
            {
                return found;
            }

            if (step == WalkStep.Candidate)
            {
                found.Add(walk.Key.ToArray());
            }
        }

        throw new InvalidOperationException("the walk did not end");
    }

    private static string Hex(IEnumerable<byte[]> keys) => string.Join(",", keys.Select(Convert.ToHexString));

    [Fact]
    public void A_variable_pattern_walks_every_key_in_order()
    {
        var (trie, keys) = Build();

        Assert.Equal(Hex(keys), Hex(Walk(trie, Pattern("$x"))));
        Assert.Equal(Hex(keys), Hex(Walk(trie, Pattern("$x"), work: 1)));
    }

    [Fact]
    public void A_pattern_with_constants_reaches_exactly_the_keys_that_fit_its_shape()
    {
        var (trie, keys) = Build();
        foreach (var key in keys.Take(60).Concat(keys.TakeLast(60)))
        {
            // The key's shape with its first argument and its last item made variables.
            var atom = AtomDecoder.Decode(key);
            if (atom is not Atoms.ExpressionAtom { Count: >= 2 } expression)
            {
                continue;
            }

            var children = expression.Children.ToArray();
            children[1] = Atoms.Atom.Variable("first");
            children[^1] = Atoms.Atom.Variable("last");
            var pattern = AtomEncoder.Encode(Atoms.Atom.Expression(children));
            var expected = keys.Where(k => FitsShape(k, pattern)).ToList();

            Assert.Equal(Hex(expected), Hex(Walk(trie, pattern)));
            Assert.Equal(Hex(expected), Hex(Walk(trie, pattern, work: 3)));
        }
    }

    [Fact]
    public void A_stored_variable_stands_for_a_whole_constant_sub_term()
    {
        var trie = new ByteTrie();
        foreach (var atom in MettaReader.Parse("(edge $x $x) (edge a b) (edge a (f c)) (edge $y (f c)) (edge (f c) a)"))
        {
            trie.Add(AtomEncoder.Encode(atom));
        }

        var found = Walk(trie, Pattern("(edge a (f c))")).Select(key => MettaPrinter.Print(AtomDecoder.Decode(key))).ToList();

        // (edge $x $x) is reached (its first $x meets a, its second meets (f c)); unification rejects it later.
        Assert.Equal(["(edge $x0 $x0)", "(edge $x0 (f c))", "(edge a (f c))"], found.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("$x", false, false)]
    [InlineData("(Individuals $i ($kind $value))", false, false)]
    [InlineData("(= ($f $a) $body)", false, false)]
    [InlineData("(edge $x $x)", false, false)]
    [InlineData("($head 7 $rest)", false, false)]
    // In a trie without variables, constants then distinct variables enumerate the keys under the constants.
    [InlineData("$x", true, true)]
    [InlineData("($head $i $p)", true, true)]
    [InlineData("(Individuals $i $p)", true, true)]
    [InlineData("(edge $a $b)", true, true)]
    [InlineData("(Individuals $i ($kind $value))", true, false)]
    public void A_walk_interrupted_by_changes_gives_each_key_present_all_along_exactly_once(string patternText, bool ground, bool tail)
    {
        var (trie, keys) = Build(2000, ground);
        var pattern = Pattern(patternText);
        keys = [.. keys.Where(k => FitsShape(k, pattern))];
        var random = new Random(7);
        var walk = new PatternWalk(trie);
        walk.Start(pattern, storedVariables: !ground);
        Assert.Equal(tail, walk.TailStart >= 0);
        var given = new List<byte[]>();
        var removed = new HashSet<string>();
        var added = new HashSet<string>();
        for (var calls = 0; calls < 1_000_000; calls++)
        {
            var work = 1 + random.Next(40);
            var step = walk.Next(ref work);
            if (step == WalkStep.Done)
            {
                break;
            }

            if (step == WalkStep.Candidate)
            {
                given.Add(walk.Key.ToArray());
            }

            // Between calls, the space changes: keys removed (some the walk has given, some not),
            // new keys added anywhere, and now and then a compaction that renumbers every node.
            if (random.Next(4) == 0)
            {
                var victim = keys[random.Next(keys.Count)];
                if (trie.Remove(victim))
                {
                    removed.Add(Convert.ToHexString(victim));
                }
            }

            if (random.Next(4) == 0)
            {
                var fresh = random.Next(2) == 0
                    ? AtomEncoder.Encode(MettaReader.Parse($"(fresh {random.Next(100_000)} \"{random.Next(1000)}\")")[0])
                    : Royal92ShapedFacts.Generate(1, seed: random.Next()).Select(AtomEncoder.Encode).Single();
                if (trie.Add(fresh))
                {
                    added.Add(Convert.ToHexString(fresh));
                }
            }

            if (random.Next(200) == 0)
            {
                trie.Compact();
            }
        }

        var givenHex = given.Select(Convert.ToHexString).ToList();
        Assert.Equal(givenHex.Count, givenHex.Distinct().Count());
        Assert.True(given.Zip(given.Skip(1)).All(p => p.First.AsSpan().SequenceCompareTo(p.Second) < 0), "keys are given in ascending order");
        var stable = keys.Select(Convert.ToHexString).Where(k => !removed.Contains(k)).ToHashSet();
        Assert.Subset(givenHex.ToHashSet(), stable);
        Assert.True(givenHex.All(k => stable.Contains(k) || removed.Contains(k) || added.Contains(k)), "only keys that were in the trie at some point are given");
        Assert.All(given, k => Assert.True(FitsShape(k, pattern), Convert.ToHexString(k)));
        Assert.NotEmpty(stable);
    }

    [Fact]
    public void A_walk_progresses_however_often_the_trie_changes()
    {
        // A sparse scan — 50,000 keys walked for one match — changed between every two small steps:
        // a walk that went back to its last match after each change would never finish.
        var trie = new ByteTrie();
        for (var i = 0; i < 50_000; i++)
        {
            trie.Add(Pattern($"(e {i} yyy)"));
        }

        trie.Add(Pattern("(e 25000 zzz)"));
        var walk = new PatternWalk(trie);
        walk.Start(Pattern("(e $x zzz)"));
        var found = new List<string>();
        var calls = 0;
        for (var step = WalkStep.Paused; step != WalkStep.Done && calls < 1_000_000; calls++)
        {
            var work = 64;
            step = walk.Next(ref work);
            if (step == WalkStep.Candidate)
            {
                found.Add(MettaPrinter.Print(AtomDecoder.Decode(walk.Key)));
            }

            trie.Add(Pattern($"(fresh {calls})"));
        }

        Assert.Equal(["(e 25000 zzz)"], found);
        Assert.True(calls < 10_000, $"{calls} calls");
    }

    [Fact]
    public void A_constant_can_meet_every_kind_of_stored_variable_at_once()
    {
        // After 65 variables, the next item can be the long VarRef, any of the 64 short VarRefs, a
        // new variable, or the constant: 67 ways on from one node.
        var trie = new ByteTrie();
        var prefix = "(f " + string.Join(' ', Enumerable.Range(0, 65).Select(i => $"$v{i}"));
        foreach (var last in Enumerable.Range(0, 65).Select(i => $"$v{i}").Append("$new").Append("c"))
        {
            trie.Add(Pattern($"{prefix} {last})"));
        }

        var found = Walk(trie, Pattern("(f " + string.Join(' ', Enumerable.Range(0, 65).Select(i => $"$a{i}")) + " c)"));

        Assert.Equal(67, found.Count);
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

    /// <summary>
    /// The reference for which keys a walk reaches: item by item, a pattern variable takes one whole
    /// item; a constant must equal the key's bytes, or meet a variable in the key, which then takes
    /// the constant's whole sub-term.
    /// </summary>
    private static bool FitsShape(byte[] key, byte[] pattern)
    {
        var items = new List<PatternItem>();
        PatternItem.Split(pattern, items, new Stack<(int, long)>());
        var at = 0;
        for (var i = 0; i < items.Count;)
        {
            if (at >= key.Length)
            {
                return false;
            }

            var item = items[i];
            if (item.Kind == PatternItemKind.Variable)
            {
                at += EncodedItem.Length(key.AsSpan(at));
                i++;
            }
            else if (EncodedItemReader.StartsVariable(key[at]))
            {
                at += EncodedItem.Length(key.AsSpan(at));
                i = item.SubtreeEnd;
            }
            else if (key.AsSpan(at).StartsWith(pattern.AsSpan(item.Offset, item.Length)))
            {
                at += item.Length;
                i++;
            }
            else
            {
                return false;
            }
        }

        return at == key.Length;
    }
}
