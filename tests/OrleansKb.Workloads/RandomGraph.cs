using OrleansKb.Atoms;

namespace OrleansKb.Workloads;

/// <summary>Random graphs of <c>(edge X Y)</c> facts, the same for the same arguments: what the transform benchmarks derive from.</summary>
public static class RandomGraph
{
    /// <summary>
    /// <paramref name="count"/> distinct edges among <paramref name="nodes"/> nodes, drawn with
    /// <paramref name="seed"/>; with <paramref name="acyclic"/>, each from a smaller node to a larger one.
    /// </summary>
    public static List<Atom> Edges(int count, int nodes, bool acyclic = false, int seed = 2026)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 2);
        var random = new Random(seed);
        var edges = new HashSet<(int, int)>();
        while (edges.Count < count)
        {
            var (x, y) = (random.Next(nodes), random.Next(nodes));
            if (!acyclic || x < y)
            {
                edges.Add((x, y));
            }
        }

        return [.. edges.Select(e => (Atom)Atom.Expression(Atom.Symbol("edge"), Atom.Integer(e.Item1), Atom.Integer(e.Item2)))];
    }
}
