namespace OrleansKb.Spaces;

/// <summary>
/// A row of ground values and new variables (<see cref="JoinRows"/>) read in place: each bound
/// variable's value is a slice of the row's bytes. Nothing is allocated; valid until the
/// <see cref="JoinRows"/> that made it reads its next row.
/// </summary>
internal readonly struct RowValues(string[] names, ReadOnlyMemory<byte> row, Range[] items) : IEncodedBindings
{
    public bool TryGetEncoded(string name, out ReadOnlyMemory<byte> encoded)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                // An empty range: the row leaves the variable new.
                encoded = row[items[i]];
                return !encoded.IsEmpty;
            }
        }

        encoded = default;
        return false;
    }
}
