using System.Diagnostics;
using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Workloads;

/// <summary>
/// What <c>orleanskb bench environment</c> measures, on <see cref="Royal92ShapedFacts"/>: each phase
/// of a bulk add alone, the bulk adds whole, and the argument index catching up with the inserted
/// facts afterwards (docs/matching.md), in nanoseconds per fact.
/// <para>
/// Made for noisy, shared machines: after a warm-up (so the JIT has optimised the hot paths), the
/// phases run round-robin — one of each per round — for at least five rounds and two seconds, so
/// that a burst of load elsewhere hits all of them alike. Each figure is the median over rounds, and
/// the speedup is the median of each round's own sequential ÷ parallel ratio.
/// </para>
/// </summary>
public static class EnvironmentBench
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(2);

    public static EnvironmentBenchResult Run(int facts, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(facts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var atoms = Royal92ShapedFacts.Generate(facts);
        var parallel = new BulkOptions { DegreeOfParallelism = threads, ParallelThreshold = 0 };
        var batch = new EncodedAtomWriter();
        AtomSpace? filled = null;

        Action[] phases =
        [
            () =>
            {
                batch.Clear();
                foreach (var atom in atoms)
                {
                    AtomEncoder.Append(atom, batch);
                }
            },
            () =>
            {
                using var encoder = new ParallelEncoder(atoms, threads);
                encoder.Run();
            },
            () => (filled = new AtomSpace()).Insert(batch, sort: false),
            () => new AtomSpace().AddFacts(atoms, BulkOptions.Sequential),
            () => new AtomSpace().AddFactsParallel(atoms, parallel),
            () => filled!.CatchUpIndex(TimeSpan.MaxValue),
        ];

        var stopwatch = Stopwatch.StartNew();
        for (var round = 0; round < 3 || stopwatch.Elapsed < WarmUp; round++)
        {
            RunRound(phases);
        }

        var rounds = new List<double[]>();
        stopwatch.Restart();
        while (rounds.Count < 5 || (stopwatch.Elapsed < Measure && rounds.Count < 1000))
        {
            rounds.Add(RunRound(phases));
        }

        double Median(Func<double[], double> of) => rounds.Select(of).Order().ElementAt(rounds.Count / 2);
        var memory = filled!.Memory;
        return new EnvironmentBenchResult(
            facts,
            threads,
            Median(r => r[0]) / facts,
            Median(r => r[1]) / facts,
            Median(r => r[2]) / facts,
            Median(r => r[3]) / facts,
            Median(r => r[4]) / facts,
            Median(r => r[3] / r[4]),
            (double)memory.LiveBytes / filled.Count,
            (double)batch.Length / facts,
            Median(r => r[5]) / facts,
            (double)filled.IndexMemory.LiveBytes / filled.Count);
    }

    /// <summary>Runs each phase once, after a full collection so no phase pays for another's garbage; returns their times in nanoseconds.</summary>
    private static double[] RunRound(Action[] phases)
    {
        var times = new double[phases.Length];
        for (var i = 0; i < phases.Length; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var stopwatch = Stopwatch.StartNew();
            phases[i]();
            times[i] = stopwatch.Elapsed.TotalNanoseconds;
        }

        return times;
    }
}
