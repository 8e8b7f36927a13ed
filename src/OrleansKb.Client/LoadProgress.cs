namespace OrleansKb.Client;

/// <summary>Where a load is: atoms acknowledged by the grain so far, how many of them were new, and (for a file) bytes read of the total.</summary>
public readonly record struct LoadProgress(long AtomsAcknowledged, long AtomsAdded, long BytesRead, long TotalBytes);
