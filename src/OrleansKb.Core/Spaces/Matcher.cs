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
/// A conjunction <c>(, p1 … pn)</c> is a join, in the order of least estimated work (see
/// <see cref="JoinOrder"/>), rather than the written order.
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
            ? [.. e.Children[1..].ToArray()]
            : new List<Atom> { pattern };
        if (conjuncts.Count == 0)
        {
            results.Add(template);
            return results;
        }

        // Each conjunct alone, once: its solutions (the first step of the join reuses them) and the
        // statistics the join order is chosen by.
        var alone = conjuncts.Select(c => new Conjunct(c, Solutions(c, Substitution.Empty))).ToList();
        var order = JoinOrder(alone);
        foreach (var solution in Solve(order, 0, Substitution.Empty))
        {
            results.Add(solution.Apply(template));
            if (results.Count == limit)
            {
                break;
            }
        }

        return results;
    }

    private IEnumerable<Substitution> Solve(List<Conjunct> order, int index, Substitution bindings)
    {
        if (index == order.Count)
        {
            yield return bindings;
            yield break;
        }

        var solutions = index == 0 ? order[0].Solutions : Solutions(bindings.Apply(order[index].Pattern), bindings);
        foreach (var solution in solutions)
        {
            foreach (var complete in Solve(order, index + 1, solution))
            {
                yield return complete;
            }
        }
    }

    /// <summary>Every way a stored atom unifies with <paramref name="pattern"/>, extending <paramref name="bindings"/>.</summary>
    private List<Substitution> Solutions(Atom pattern, Substitution bindings)
    {
        var solutions = new List<Substitution>();
        var variables = Conjunct.VariablesOf(pattern).ToArray();
        foreach (var candidate in Candidates(pattern))
        {
            if (candidate.Ground is { } ground)
            {
                // Fast path: no variable on the stored side, so the walk has checked every constant and
                // each pattern variable is bound to the ground item it skipped; a repeated variable
                // must have skipped equal bytes.
                if (BindGround(bindings, variables, ground) is { } bound)
                {
                    solutions.Add(bound);
                }
            }
            else if (bindings.Unify(pattern, RenameApart(AtomDecoder.Decode(candidate.Key!))) is { } extended)
            {
                solutions.Add(extended);
            }
        }

        return solutions;
    }

    private static Substitution? BindGround(Substitution bindings, string[] variables, List<byte[]> items)
    {
        for (var i = 0; i < variables.Length; i++)
        {
            // Patterns have a handful of variables: look back for an earlier occurrence.
            var first = Array.IndexOf(variables, variables[i]);
            if (first < i)
            {
                if (!items[first].AsSpan().SequenceEqual(items[i]))
                {
                    return null;
                }

                continue;
            }

            bindings = bindings.Bind(variables[i], AtomDecoder.Decode(items[i]));
        }

        return bindings;
    }

    /// <summary>
    /// The order of a conjunction's patterns with the least estimated work. The trie is ordered by
    /// argument position, so a pattern walks cheaply only along its leading constants and bound
    /// variables; after its first unbound variable it enumerates. For pattern p, from its solutions
    /// alone: N solutions, and D(v) distinct values of each variable. Given the variables bound before
    /// it, p costs N ÷ Π D(v) over the bound variables that lead its walk, and yields N ÷ Π D(v) over
    /// all its bound variables per earlier row. Every order is costed (up to 7 patterns; beyond,
    /// greedily) and the cheapest wins — not the written order, as MORK does.
    /// </summary>
    private static List<Conjunct> JoinOrder(List<Conjunct> conjuncts)
    {
        if (conjuncts.Count == 1)
        {
            return conjuncts;
        }

        var best = conjuncts;
        var bestCost = double.MaxValue;
        var orders = conjuncts.Count <= 7 ? Permutations(conjuncts) : [Greedy(conjuncts)];
        foreach (var order in orders)
        {
            var bound = new HashSet<string>();
            double rows = 1, cost = 0;
            foreach (var conjunct in order)
            {
                cost += rows * Math.Max(1, conjunct.Solutions.Count / conjunct.LeadingSelectivity(bound));
                rows *= Math.Max(1e-3, conjunct.Solutions.Count / conjunct.Selectivity(bound));
                bound.UnionWith(conjunct.Variables);
            }

            if (cost < bestCost)
            {
                (best, bestCost) = (order, cost);
            }
        }

        return best;
    }

    private static List<Conjunct> Greedy(List<Conjunct> conjuncts)
    {
        var remaining = conjuncts.ToList();
        var order = new List<Conjunct>();
        var bound = new HashSet<string>();
        while (remaining.Count > 0)
        {
            var next = remaining.MinBy(c => c.Solutions.Count / c.LeadingSelectivity(bound))!;
            order.Add(next);
            remaining.Remove(next);
            bound.UnionWith(next.Variables);
        }

        return order;
    }

    private static IEnumerable<List<Conjunct>> Permutations(List<Conjunct> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    /// <summary>
    /// The stored atoms whose encodings fit the pattern's structure, each reached once: for a ground
    /// atom, the items its pattern variables skipped (in order); otherwise its whole key, to unify.
    /// </summary>
    private List<Candidate> Candidates(Atom pattern)
    {
        var bytes = AtomEncoder.Encode(pattern);
        var items = PatternItem.Split(bytes);
        var found = new List<Candidate>();
        var pending = new Stack<(int Item, TriePosition Position, KeyPath? Path, Skips? Skipped, bool Ground)>();
        pending.Push((0, ByteTrie.Start, null, null, true));
        while (pending.TryPop(out var frame))
        {
            var (index, position, path, skipped, ground) = frame;
            if (index == items.Count)
            {
                if (trie.IsKeyEnd(position))
                {
                    found.Add(ground ? new Candidate(null, Skips.ToList(skipped)) : new Candidate(KeyPath.Join(path), null));
                }

                continue;
            }

            var item = items[index];
            if (item.Kind == PatternItemKind.Variable)
            {
                trie.SkipItem(position, (end, bytes) =>
                {
                    var copy = bytes.ToArray();
                    pending.Push((index + 1, end, new KeyPath(path, copy), new Skips(skipped, copy), ground && !EncodedItem.ContainsVariable(copy)));
                });
                continue;
            }

            var constant = bytes.AsSpan(item.Offset, item.Length);
            var after = position;
            if (trie.TryDescend(ref after, constant))
            {
                pending.Push((index + 1, after, new KeyPath(path, constant.ToArray()), skipped, ground));
            }

            // Two-way: a stored variable here stands for the pattern's whole sub-term.
            trie.VariableItems(position, (end, variable) => pending.Push((item.SubtreeEnd, end, new KeyPath(path, variable.ToArray()), skipped, false)));
        }

        return found;
    }

    /// <summary>The stored atom with its variables given names no pattern and no other stored atom uses.</summary>
    private Atom RenameApart(Atom stored)
    {
        if (!Conjunct.VariablesOf(stored).Any())
        {
            return stored;
        }

        var suffix = $"#{_renamed++}";
        return Rename(stored, suffix);

        static Atom Rename(Atom atom, string suffix) => atom switch
        {
            VariableAtom variable => Atom.Variable(variable.Name + suffix),
            ExpressionAtom expression => new ExpressionAtom([.. expression.Children.ToArray().Select(child => Rename(child, suffix))]),
            _ => atom,
        };
    }

    /// <summary>A key reached by the walk: the skipped items if it is ground, else the key itself.</summary>
    private sealed record Candidate(byte[]? Key, List<byte[]>? Ground);

    /// <summary>The items pattern variables skipped so far, as a chain back to the first.</summary>
    private sealed record Skips(Skips? Previous, byte[] Item)
    {
        public static List<byte[]> ToList(Skips? skips)
        {
            var items = new List<byte[]>();
            for (var piece = skips; piece is not null; piece = piece.Previous)
            {
                items.Add(piece.Item);
            }

            items.Reverse();
            return items;
        }
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
