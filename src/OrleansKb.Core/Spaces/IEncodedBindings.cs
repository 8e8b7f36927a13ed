namespace OrleansKb.Spaces;

/// <summary>
/// Variables' values as a join reads them, each held encoded where it can be: a
/// <see cref="Substitution"/>, or a row of a join over a divided space read in place (<see cref="RowValues"/>).
/// </summary>
internal interface IEncodedBindings
{
    /// <summary>
    /// Whether <paramref name="name"/> is bound, and if it is bound to a ground value held encoded, the
    /// encoding; empty for one bound by unification (it may hold variables).
    /// </summary>
    bool TryGetEncoded(string name, out ReadOnlyMemory<byte> encoded);
}
