namespace OrleansKb.Storage;

/// <summary>
/// A place between two bytes of the keys of a <see cref="ByteTrie"/>, for walking it along a
/// pattern: <see cref="Offset"/> bytes into the label of <see cref="Node"/>, or, when
/// <see cref="Leaf"/> is not 0, into that leaf (a negative child reference).
/// </summary>
internal readonly record struct TriePosition(int Node, int Leaf, int Offset);
