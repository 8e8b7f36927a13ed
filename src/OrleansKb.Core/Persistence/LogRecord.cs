namespace OrleansKb.Persistence;

/// <summary>One change to a space, as the log holds it: its sequence number (consecutive per space), what it does, and the batch's encoded atoms.</summary>
public readonly record struct LogRecord(long Sequence, LogOperation Operation, ReadOnlyMemory<byte> Atoms);
