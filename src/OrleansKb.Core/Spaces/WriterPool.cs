using System.Collections.Concurrent;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>Reused batch buffers, so bulk adds do not allocate a buffer per chunk.</summary>
internal static class WriterPool
{
    private const int MaxPooledBytes = 16 << 20;
    private static readonly ConcurrentBag<EncodedAtomWriter> Writers = [];

    public static EncodedAtomWriter Rent() => Writers.TryTake(out var writer) ? writer : new EncodedAtomWriter(16 << 10);

    public static void Return(EncodedAtomWriter writer)
    {
        writer.Clear();
        if (writer.Capacity <= MaxPooledBytes)
        {
            Writers.Add(writer);
        }
    }
}
