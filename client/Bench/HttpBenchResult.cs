namespace OrleansKb.Cli.Bench;

/// <summary>
/// <c>orleanskb bench http</c>'s figures: facts loaded per second by this process (as <c>orleanskb
/// load</c>) and posted over HTTP, their ratio, and a point match's latency over HTTP in microseconds.
/// </summary>
internal sealed record HttpBenchResult(int Facts, long FileBytes, double LoadFactsPerS, double HttpFactsPerS, double HttpVsLoad, double PointMedianUs, double PointP99Us);
