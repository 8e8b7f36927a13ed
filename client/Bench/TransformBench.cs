using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cli.Bench;

/// <summary>
/// What <c>orleanskb bench transform</c> measures, each in fresh durable spaces (docs/transform.md):
/// <list type="bullet">
/// <item>the aunt-kg derivations of <c>(aunt $a $x)</c>, <c>(sister $s $x)</c> and <c>(mother $m $x)</c>
/// from royal92_simple, each into a new space, median of five runs after two;</item>
/// <item>a transitive step <c>(trans $x $z)</c> over <c>--edges</c> random edges among a twentieth as
/// many nodes (seeded), while a <c>count</c> of the graph is asked every 10 ms; then a permuted copy
/// <c>(rev $y $x)</c> of the edges;</item>
/// <item>the transitive closure of a random DAG of 10,000 edges to a fixpoint, semi-naive and naive.</item>
/// </list>
/// </summary>
internal static class TransformBench
{
    private const int ClosureEdges = 10_000;

    // The aunt-kg derivations: the query (AuntKgQueries) and what each solution adds.
    private static readonly (string Query, string Template)[] Derivations = [("aunts", "(aunt $a $x)"), ("sisters", "(sister $s $x)"), ("mothers", "(mother $m $x)")];

    public static async Task<TransformBenchResult> RunAsync(KbCluster cluster, string royal92, int edges, int partitions, CancellationToken cancellationToken)
    {
        var genealogy = cluster.Space($"bench-{Guid.NewGuid():N}");
        await genealogy.LoadAsync(LoadSource.File(royal92), cancellationToken: cancellationToken).ConfigureAwait(false);
        var derived = new List<double>[Derivations.Length];
        for (var i = 0; i < Derivations.Length; i++)
        {
            derived[i] = [];
            var pattern = AuntKgQueries.All.Single(q => q.Name == Derivations[i].Query).Pattern;
            for (var run = -2; run < 5; run++)
            {
                var (ms, _) = await TimedAsync(cluster, genealogy, pattern, Derivations[i].Template, partitions: 1, [], cancellationToken).ConfigureAwait(false);
                if (run >= 0)
                {
                    derived[i].Add(ms);
                }
            }
        }

        await genealogy.ClearAsync(cancellationToken).ConfigureAwait(false);

        // Divided, the graph and each target are split at keys sampled from their own atoms' shape.
        var graph = cluster.Space($"bench-{Guid.NewGuid():N}");
        var edgeAtoms = RandomGraph.Edges(edges, Math.Max(2, edges / 20));
        var (trans, rev) = (Reshaped(edgeAtoms, "trans", swap: false), Reshaped(edgeAtoms, "rev", swap: true));
        if (partitions > 1)
        {
            await graph.DivideAsync(edgeAtoms, partitions, cancellationToken).ConfigureAwait(false);
        }

        await graph.AddFactsAsync(edgeAtoms, cancellationToken: cancellationToken).ConfigureAwait(false);
        var counts = new List<double>();
        var step = TimedAsync(cluster, graph, "(, (edge $x $y) (edge $y $z))", "(trans $x $z)", partitions, trans, cancellationToken);
        while (!step.IsCompleted)
        {
            var asked = Stopwatch.StartNew();
            await graph.CountAsync(cancellationToken).ConfigureAwait(false);
            counts.Add(asked.Elapsed.TotalMilliseconds);
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        var (stepMs, stepDone) = await step.ConfigureAwait(false);
        var (copyMs, copyDone) = await TimedAsync(cluster, graph, "(edge $x $y)", "(rev $y $x)", partitions, rev, cancellationToken).ConfigureAwait(false);
        await graph.ClearAsync(cancellationToken).ConfigureAwait(false);

        var (semiMs, semi) = await ClosureAsync(cluster, naive: false, cancellationToken).ConfigureAwait(false);
        var (naiveMs, naive) = await ClosureAsync(cluster, naive: true, cancellationToken).ConfigureAwait(false);
        if (semi.Added != naive.Added)
        {
            throw new InvalidOperationException($"the semi-naive closure added {semi.Added:N0} atoms, the naive one {naive.Added:N0}");
        }

        return new TransformBenchResult(
            BenchTiming.Median(derived[0]), BenchTiming.Median(derived[1]), BenchTiming.Median(derived[2]),
            edges, partitions, stepDone.Added, stepDone.Added / (stepMs / 1e3), counts.Count == 0 ? 0 : BenchTiming.Median(counts), counts.DefaultIfEmpty(0).Max(),
            copyDone.Added / (copyMs / 1e3),
            ClosureEdges, semi.Added, semi.Rounds, semiMs, semi.Solutions, naiveMs, naive.Solutions);
    }

    /// <summary>
    /// A transform into a new space, timed in milliseconds (the target cleared afterwards); divided into
    /// <paramref name="partitions"/> at keys sampled from <paramref name="sample"/> first, when more than one.
    /// </summary>
    private static async Task<(double Ms, TransformProgress Done)> TimedAsync(
        KbCluster cluster, KbSpace source, string pattern, string template, int partitions, IReadOnlyList<Atom> sample, CancellationToken cancellationToken)
    {
        var into = $"bench-{Guid.NewGuid():N}";
        if (partitions > 1)
        {
            await cluster.Space(into).DivideAsync(sample, partitions, cancellationToken).ConfigureAwait(false);
        }

        var stopwatch = Stopwatch.StartNew();
        var done = await source.TransformAsync(One(pattern), One(template), into, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        await cluster.Space(into).ClearAsync(cancellationToken).ConfigureAwait(false);
        return (ms, done);
    }

    private static async Task<(double Ms, TransformProgress Done)> ClosureAsync(KbCluster cluster, bool naive, CancellationToken cancellationToken)
    {
        var dag = cluster.Space($"bench-{Guid.NewGuid():N}");
        await dag.AddFactsAsync(RandomGraph.Edges(ClosureEdges, ClosureEdges * 4 / 5, acyclic: true), cancellationToken: cancellationToken).ConfigureAwait(false);
        await dag.TransformAsync(One("(edge $x $y)"), One("(path $x $y)"), cancellationToken: cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        var done = await dag.TransformAsync(One("(, (edge $x $y) (path $y $z))"), One("(path $x $z)"), fixpoint: true, naive: naive, cancellationToken: cancellationToken).ConfigureAwait(false);
        var ms = stopwatch.Elapsed.TotalMilliseconds;
        await dag.ClearAsync(cancellationToken).ConfigureAwait(false);
        return (ms, done);
    }

    private static Atom One(string text) => MettaReader.Parse(text)[0];

    /// <summary>Each edge <c>(edge x y)</c> as <c>(head x y)</c>, or <c>(head y x)</c>: atoms of a target's shape, to divide it by.</summary>
    private static List<Atom> Reshaped(List<Atom> edges, string head, bool swap) =>
        [.. edges.Select(edge => (ExpressionAtom)edge).Select(edge => (Atom)Atom.Expression(Atom.Symbol(head), edge[swap ? 2 : 1], edge[swap ? 1 : 2]))];
}
