namespace OrleansKb.Client;

/// <summary>What a load's readers have read so far, updated from their threads (Interlocked).</summary>
internal sealed class LoadCounters
{
    public long BytesRead;
    public long AtomsRead;
}
