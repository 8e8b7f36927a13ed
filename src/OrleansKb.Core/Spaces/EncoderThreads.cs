using System.Collections.Concurrent;

namespace OrleansKb.Spaces;

/// <summary>
/// Dedicated background threads for the parallel phase of bulk adds, apart from the .NET thread
/// pool (where Orleans and async code run), so CPU-bound encoding never starves them. A bulk add
/// always works on its own thread too, so it finishes even when these threads are all busy.
/// </summary>
internal sealed class EncoderThreads
{
    private readonly BlockingCollection<Action> _work = [];

    private EncoderThreads(int count)
    {
        Count = count;
        for (var i = 0; i < count; i++)
        {
            new Thread(Run) { IsBackground = true, Name = $"OrleansKb encoder {i}" }.Start();
        }
    }

    /// <summary>One fewer than the cores: the thread that calls a bulk add is the other.</summary>
    public static EncoderThreads Shared { get; } = new(Math.Max(1, Environment.ProcessorCount - 1));

    public int Count { get; }

    public void Post(Action work) => _work.Add(work);

    private void Run()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
