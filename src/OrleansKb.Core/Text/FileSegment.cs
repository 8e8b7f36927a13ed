namespace OrleansKb.Text;

/// <summary>A run of a .metta file that starts at the beginning of a line between top-level atoms, so it can be read on its own.</summary>
public readonly record struct FileSegment(long Offset, long Length);
