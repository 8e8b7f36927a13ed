using System.Diagnostics;

namespace OrleansKb.Cluster.Tests;

/// <summary>Waiting for something another process or a timer makes true, bounded in time.</summary>
internal static class Poll
{
    /// <summary>Polls until <paramref name="done"/> holds, for at most <paramref name="seconds"/>; false if it never did.</summary>
    public static async Task<bool> Until(Func<Task<bool>> done, double seconds)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            if (await done())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return await done();
    }
}
