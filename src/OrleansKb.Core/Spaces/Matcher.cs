using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Storage;

namespace OrleansKb.Spaces;

/// <summary>
/// <c>match PATTERN TEMPLATE</c> over a trie of encoded atoms (DESIGN.md, "Pattern matching").
/// <para>
/// A single pattern is matched by walking the trie along the pattern's encoding, item by item: a
/// constant (token or expression header) descends along its bytes — or, for two-way matching, along
/// a stored variable, which then stands for the pattern's whole sub-term; a pattern variable skips
/// exactly one complete stored item. Only keys that fit the pattern's constant structure are reached;
/// a pattern with a constant head never visits keys with another head. Each key reached is decoded,
/// its variables renamed apart, and unified with the pattern (occurs check included): that decides,
/// and gives the bindings.
/// </para>
/// <para>
/// A conjunction <c>(, p1 … pn)</c> is a join. At each step the remaining pattern with the fewest
/// candidates — counted in the trie under its constant prefix, after the bindings so far are applied
/// — goes next, rather than the written order.
/// </para>
/// </summary>
internal sealed class Matcher(ByteTrie trie)
{
    private int _renamed;

    /// <summary>The template instantiated by every solution, at most <paramref name="limit"/>.</summary>
    public List<Atom> Match(Atom pattern, Atom template, int limit)
    {
        var results = new List<Atom>();
        if (limit <= 0)
        {
            return results;
        }

        var conjuncts = pattern is ExpressionAtom { Count: > 0 } e && e[0] is SymbolAtom { Name: "," }
            ? e.Children[1..].ToArray().ToList()
            : [pattern];
        foreach (var solution in Solve(conjuncts, Substitution.Empty))
        {
            results.Add(solution.Apply(template));
            if (results.Count == limit)
            {
                break;
            }
        }

        return results;
    }

    private IEnumerable<Substitution> Solve(List<Atom> remaining, Substitution bindings)
    {
        if (remaining.Count == 0)
        {
            yield return bindings;
            yield break;
        }

        // The most selective pattern first, judged on the trie's counts under its constant prefix.
        var best = 0;
        var bestCount = long.MaxValue;
        for (var i = 0; i < remaining.Count && bestCount > 0; i++)
        {
            var count = Estimate(bindings.Apply(remaining[i]));
            if (count < bestCount)
            {
                (best, bestCount) = (i, count);
            }
        }

        var next = bindings.Apply(remaining[best]);
        var rest = remaining.Where((_, i) => i != best).ToList();
        foreach (var stored in Candidates(next))
        {
            if (bindings.Unify(next, RenameApart(stored)) is { } extended)
            {
                foreach (var solution in Solve(rest, extended))
                {
                    yield return solution;
                }
            }
        }
    }

    /// <summary>How many keys continue from the end of the pattern's leading constant bytes: an upper bound on its matches without stored variables.</summary>
    private long Estimate(Atom pattern)
    {
        var bytes = AtomEncoder.Encode(pattern);
        var constant = 0;
        foreach (var item in PatternItem.Split(bytes))
        {
            if (item.Kind == PatternItemKind.Variable)
            {
                break;
            }

            constant = item.Offset + item.Length;
        }

        var position = ByteTrie.Start;
        return trie.TryDescend(ref position, bytes.AsSpan(0, constant)) ? trie.CountBelow(position) : 0;
    }

    /// <summary>The stored atoms whose encodings fit the pattern's structure (decoded), each reached once.</summary>
    private List<Atom> Candidates(Atom pattern)
    {
        var bytes = AtomEncoder.Encode(pattern);
        var items = PatternItem.Split(bytes);
        var found = new List<Atom>();
        var pending = new Stack<(int Item, TriePosition Position, KeyPath? Path)>();
        pending.Push((0, ByteTrie.Start, null));
        while (pending.TryPop(out var frame))
        {
            var (index, position, path) = frame;
            if (index == items.Count)
            {
                if (trie.IsKeyEnd(position))
                {
                    found.Add(AtomDecoder.Decode(KeyPath.Join(path)));
                }

                continue;
            }

            var item = items[index];
            if (item.Kind == PatternItemKind.Variable)
            {
                trie.SkipItem(position, (end, skipped) => pending.Push((index + 1, end, new KeyPath(path, skipped.ToArray()))));
                continue;
            }

            var constant = bytes.AsSpan(item.Offset, item.Length);
            var after = position;
            if (trie.TryDescend(ref after, constant))
            {
                pending.Push((index + 1, after, new KeyPath(path, constant.ToArray())));
            }

            // Two-way: a stored variable here stands for the pattern's whole sub-term.
            trie.VariableItems(position, (end, variable) => pending.Push((item.SubtreeEnd, end, new KeyPath(path, variable.ToArray()))));
        }

        return found;
    }

    /// <summary>The stored atom with its variables given names no pattern and no other stored atom uses.</summary>
    private Atom RenameApart(Atom stored)
    {
        var suffix = $"#{_renamed++}";
        return Rename(stored, suffix);

        static Atom Rename(Atom atom, string suffix) => atom switch
        {
            VariableAtom variable => Atom.Variable(variable.Name + suffix),
            ExpressionAtom expression => new ExpressionAtom([.. expression.Children.ToArray().Select(child => Rename(child, suffix))]),
            _ => atom,
        };
    }

    /// <summary>The bytes of a key walked so far, as a chain back to the start (siblings share their prefix).</summary>
    private sealed record KeyPath(KeyPath? Previous, byte[] Bytes)
    {
        public static byte[] Join(KeyPath? path)
        {
            var pieces = new List<byte[]>();
            for (var piece = path; piece is not null; piece = piece.Previous)
            {
                pieces.Add(piece.Bytes);
            }

            pieces.Reverse();
            return [.. pieces.SelectMany(p => p)];
        }
    }
}
