namespace OrleansKb.Cli.Bench;

/// <summary>
/// The figures of <c>orleanskb bench transform</c> (docs/transform.md): the aunt-kg derivations'
/// medians in milliseconds; a transitive step and a permuted copy of a generated graph, in derived
/// atoms per second, with the median and longest <c>count</c> of the graph while the step ran; and a
/// closure to a fixpoint, semi-naive and naive, in milliseconds and solutions found.
/// </summary>
internal sealed record TransformBenchResult(
    double AuntsMs,
    double SistersMs,
    double MothersMs,
    int Edges,
    int Partitions,
    long StepAtoms,
    double StepAtomsPerS,
    double CountDuringStepMedianMs,
    double CountDuringStepMaxMs,
    double CopyAtomsPerS,
    int ClosureEdges,
    long ClosureAtoms,
    int ClosureRounds,
    double ClosureMs,
    long ClosureSolutions,
    double ClosureNaiveMs,
    long ClosureNaiveSolutions);
