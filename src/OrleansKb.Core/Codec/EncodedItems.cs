namespace OrleansKb.Codec;

/// <summary>
/// The items of a run of valid encoded atoms (a batch, a snapshot chunk, a log record), one after
/// another: <c>foreach (var key in new EncodedItems(batch))</c>.
/// </summary>
internal ref struct EncodedItems(ReadOnlySpan<byte> items)
{
    private ReadOnlySpan<byte> _rest = items;

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly EncodedItems GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty)
        {
            return false;
        }

        var length = EncodedItem.Length(_rest);
        Current = _rest[..length];
        _rest = _rest[length..];
        return true;
    }
}
