using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace OrleansKb.Benchmarks;

/// <summary>
/// A short run for a shared, noisy 2-core machine: one process, 3 warm-up and 10 measured
/// iterations, with Median and P95 beside the mean (the median resists outliers from other
/// work on the machine). The job is marked as the default, so a job given on the command line
/// (<c>--job dry</c>, <c>--job short</c>, <c>--job medium</c>) replaces it instead of adding to it.
/// </summary>
public class ShortRunConfig : ManualConfig
{
    public ShortRunConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithId("Short2Core")
            .AsDefault());
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
    }
}
