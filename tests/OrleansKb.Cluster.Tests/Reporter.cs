using OrleansKb.Client;

namespace OrleansKb.Cluster.Tests;

/// <summary>Reports a load's progress on the thread that made it (<see cref="Progress{T}"/> would post it elsewhere).</summary>
internal sealed class Reporter(Action<LoadProgress> report) : IProgress<LoadProgress>
{
    public void Report(LoadProgress value) => report(value);
}
