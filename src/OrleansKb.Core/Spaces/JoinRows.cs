using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// Rows of bindings of a conjunction's variables, as a join over a divided space passes them from one
/// level to the next (docs/cluster.md, "Partitioned spaces"): encoded atoms back to back, each an
/// expression whose i-th child is the value of the i-th of <c>variables</c>, or a new variable where
/// no earlier level bound it. A row of ground values and lone new variables — nearly every row — is
/// bound without decoding: its values stay encoded, slices of the rows' bytes, which the caller keeps
/// as they are while the bindings are used. Any other row is decoded with its variables renamed apart
/// and unified.
/// </summary>
internal sealed class JoinRows(ExpressionAtom variables, ReadOnlyMemory<byte> rows)
{
    private readonly string[] _names = [.. variables.Children.ToArray().Select(v => ((VariableAtom)v).Name)];

    /// <summary>The variables a row may bind.</summary>
    public IReadOnlyList<string> Variables => _names;

    // Where each variable's value lies in the row last read in place (empty: left new).
    private readonly Range[] _items = new Range[variables.Count];
    private int _at;
    private int _stamp;

    /// <summary>The next row's bindings; false once every row has been read.</summary>
    public bool TryNext(out Substitution bindings)
    {
        while (_at < rows.Length)
        {
            var length = EncodedItem.Length(rows.Span[_at..]);
            var row = rows.Slice(_at, length);
            _at += length;
            if (Bind(row) is { } bound)
            {
                bindings = bound;
                return true;
            }
        }

        bindings = Substitution.Empty;
        return false;
    }

    /// <summary>The bindings one row gives, or null if it cannot bind the variables (not a row of them).</summary>
    public Substitution? Bind(ReadOnlyMemory<byte> row)
    {
        if (!TryValues(row, out _))
        {
            return Unified(row.Span);
        }

        var bindings = Substitution.Empty;
        for (var i = 0; i < _names.Length; i++)
        {
            // An empty range: the row leaves the variable new.
            if (_items[i].End.Value > _items[i].Start.Value)
            {
                bindings = bindings.BindEncoded(_names[i], row[_items[i]]);
            }
        }

        return bindings;
    }

    /// <summary>
    /// A row of ground values and new variables — nearly every row — read in place (valid until this
    /// is called again); false for any other, which only <see cref="Bind"/> can bind.
    /// </summary>
    public bool TryValues(ReadOnlyMemory<byte> row, out RowValues values)
    {
        var span = row.Span;
        var at = 0;
        values = default;
        if (EncodedItem.ReadArity(span, ref at) != _names.Length)
        {
            return false;
        }

        for (var i = 0; i < _names.Length; i++)
        {
            var length = EncodedItem.Length(span[at..]);
            if (length == 1 && span[at] == EncodingTags.NewVar)
            {
                // Not bound yet (a later level binds it).
                _items[i] = default;
            }
            else if (EncodedItem.ContainsVariable(span.Slice(at, length)))
            {
                // Bound to an atom with variables (a stored variable, or one shared with another item).
                return false;
            }
            else
            {
                _items[i] = at..(at + length);
            }

            at += length;
        }

        values = new RowValues(_names, row, _items);
        return true;
    }

    /// <summary>The row decoded, its variables renamed apart, and unified with the variables.</summary>
    private Substitution? Unified(ReadOnlySpan<byte> row) => Substitution.Empty.Unify(variables, AtomDecoder.DecodeApart(row, $"#r{++_stamp}"));
}
