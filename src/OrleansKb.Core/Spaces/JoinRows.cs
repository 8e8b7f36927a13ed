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
        var span = row.Span;
        var at = 0;
        if (EncodedItem.ReadArity(span, ref at) == _names.Length)
        {
            var bindings = Substitution.Empty;
            for (var i = 0; i < _names.Length; i++)
            {
                var length = EncodedItem.Length(span[at..]);
                if (length == 1 && span[at] == EncodingTags.NewVar)
                {
                    // Not bound yet (a later level binds it).
                }
                else if (EncodedItem.ContainsVariable(span.Slice(at, length)))
                {
                    // Bound to an atom with variables (a stored variable, or one shared with another item).
                    return Unified(span);
                }
                else
                {
                    bindings = bindings.BindEncoded(_names[i], row.Slice(at, length));
                }

                at += length;
            }

            return bindings;
        }

        return Unified(span);
    }

    /// <summary>The row decoded, its variables renamed apart, and unified with the variables.</summary>
    private Substitution? Unified(ReadOnlySpan<byte> row) => Substitution.Empty.Unify(variables, AtomDecoder.DecodeApart(row, $"#r{++_stamp}"));
}
