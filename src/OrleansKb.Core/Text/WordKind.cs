namespace OrleansKb.Text;

/// <summary>What a bare word of MeTTa text stands for.</summary>
internal enum WordKind : byte
{
    Symbol,
    Integer,
    Double,
    Boolean,
}
