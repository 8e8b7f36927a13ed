using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Codec;

/// <summary>
/// Appends encoded atoms back to back into one growable buffer: a batch, ready to send or insert.
/// Both the encoder (from atom objects) and the reader's fast path (straight from text) write
/// through this type, so there is one implementation of the format's writing side.
/// </summary>
public sealed class EncodedAtomWriter
{
    private readonly VariableTable _variables = new();
    private byte[] _buffer;
    private int _length;
    private int _atomStart;

    // The reader learns an expression's arity only at its ')': one placeholder byte per open expression.
    private int[] _openAt = new int[16];
    private int[] _childCounts = new int[16];
    private int _depth;

    // Where each complete atom ends, so that whoever inserts the batch need not parse it again;
    // and, once SortAtoms has run, the atoms' indexes in byte order of their encodings.
    private int[] _atomEnds = new int[64];
    private int[]? _sortedOrder;

    /// <summary>The encoder's traversal stack (children array, next index), kept here so encoding allocates nothing.</summary>
    internal (Atom[] Children, int Next)[] EncoderFrames { get; set; } = new (Atom[], int)[16];

    /// <summary>An empty buffer of <paramref name="initialCapacity"/> bytes, grown as atoms are written.</summary>
    public EncodedAtomWriter(int initialCapacity = 4096) => _buffer = new byte[Math.Max(16, initialCapacity)];

    /// <summary>
    /// The largest atom this writer accepts, in encoded bytes: a larger one fails with an
    /// <see cref="OversizedAtomException"/> as soon as it passes the limit, before it can take the
    /// memory it would need.
    /// </summary>
    public int AtomLimit { get; set; } = int.MaxValue;

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The size of the buffer.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Complete atoms written so far.</summary>
    public int AtomCount { get; private set; }

    /// <summary>The encoded atoms written so far, back to back.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The encoded atoms written so far, back to back.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>Forgets everything written; keeps the buffer for reuse.</summary>
    public void Clear()
    {
        _length = 0;
        AtomCount = 0;
        _depth = 0;
        _sortedOrder = null;
    }

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    internal void BeginAtom()
    {
        _atomStart = _length;
        _variables.Clear();
        _depth = 0;
    }

    internal void EndAtom()
    {
        if (_length - _atomStart > AtomLimit)
        {
            throw Oversized();
        }

        if (AtomCount == _atomEnds.Length)
        {
            Array.Resize(ref _atomEnds, AtomCount * 2);
        }

        _atomEnds[AtomCount++] = _length;
    }

    /// <summary>Where each atom ends in <see cref="WrittenSpan"/>.</summary>
    internal ReadOnlySpan<int> AtomEnds => _atomEnds.AsSpan(0, AtomCount);

    /// <summary>The atoms' indexes in byte order of their encodings, after <see cref="SortAtoms"/>; else null.</summary>
    internal ReadOnlySpan<int> SortedOrder => _sortedOrder;

    internal bool IsSorted => _sortedOrder is not null;

    /// <summary>The length of the encoding of atom <paramref name="index"/>.</summary>
    internal int AtomLength(int index) => _atomEnds[index] - (index == 0 ? 0 : _atomEnds[index - 1]);

    /// <summary>The encoding of atom <paramref name="index"/>.</summary>
    internal ReadOnlySpan<byte> Atom(int index)
    {
        var start = index == 0 ? 0 : _atomEnds[index - 1];
        return _buffer.AsSpan(start, _atomEnds[index] - start);
    }

    /// <summary>Orders the atoms by their bytes (see <see cref="SortedOrder"/>), leaving the buffer as it is.</summary>
    internal void SortAtoms()
    {
        // Past the bytes every atom begins with, the next eight, as a big-endian integer (zeros past an
        // atom's end), order most pairs in one comparison of integers; atoms whose eight are equal are
        // then ordered by their bytes. Both orders agree: an integer smaller is bytes smaller.
        var count = AtomCount;
        var common = count == 0 ? 0 : Atom(0).Length;
        for (var i = 1; i < count && common > 0; i++)
        {
            common = Math.Min(common, Atom(0)[..common].CommonPrefixLength(Atom(i)));
        }

        var order = new int[count];
        var keys = System.Buffers.ArrayPool<ulong>.Shared.Rent(count);
        try
        {
            Span<byte> eight = stackalloc byte[8];
            for (var i = 0; i < count; i++)
            {
                var rest = Atom(i)[common..];
                eight.Clear();
                rest[..Math.Min(8, rest.Length)].CopyTo(eight);
                keys[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(eight);
                order[i] = i;
            }

            Array.Sort(keys, order, 0, count);
            IComparer<int>? byBytes = null;
            for (var start = 0; start < count;)
            {
                var end = start + 1;
                while (end < count && keys[end] == keys[start])
                {
                    end++;
                }

                if (end - start > 1)
                {
                    byBytes ??= Comparer<int>.Create((x, y) => Atom(x).SequenceCompareTo(Atom(y)));
                    Array.Sort(order, start, end - start, byBytes);
                }

                start = end;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<ulong>.Shared.Return(keys);
        }

        _sortedOrder = order;
    }

    /// <summary>
    /// Puts the atoms in byte order of their encodings, moving their bytes: a batch sent sorted goes
    /// into a trie one key beside the last, along paths it has just walked, rather than at random
    /// places of a trie too large for the cache.
    /// </summary>
    public void SortBytes()
    {
        SortAtoms();
        var order = _sortedOrder!;
        var sorted = System.Buffers.ArrayPool<byte>.Shared.Rent(_length);
        try
        {
            // Each index of the order, once read, is overwritten by where its atom now ends.
            var length = 0;
            for (var k = 0; k < order.Length; k++)
            {
                var atom = Atom(order[k]);
                atom.CopyTo(sorted.AsSpan(length));
                length += atom.Length;
                order[k] = length;
            }

            sorted.AsSpan(0, _length).CopyTo(_buffer);
            order.CopyTo(_atomEnds, 0);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(sorted);
        }

        _sortedOrder = null;
    }

    /// <summary>Keeps only the atoms marked in <paramref name="keep"/> (one flag per atom), in their order, moved down in place.</summary>
    internal void KeepAtoms(ReadOnlySpan<bool> keep)
    {
        var (start, length, count) = (0, 0, 0);
        for (var i = 0; i < AtomCount; i++)
        {
            var end = _atomEnds[i];
            if (keep[i])
            {
                _buffer.AsSpan(start, end - start).CopyTo(_buffer.AsSpan(length));
                length += end - start;
                _atomEnds[count++] = length;
            }

            start = end;
        }

        (_length, AtomCount, _sortedOrder) = (length, count, null);
    }

    /// <summary>Appends one encoded atom that has been validated (or encoded by us).</summary>
    internal void AppendAtom(ReadOnlySpan<byte> atom)
    {
        _atomStart = _length;
        Reserve(atom.Length);
        atom.CopyTo(_buffer.AsSpan(_length));
        _length += atom.Length;
        EndAtom();
    }

    /// <summary>Drops the atom being written (the reader needs more input, or found an error).</summary>
    internal void AbortAtom()
    {
        _length = _atomStart;
        _depth = 0;
    }

    /// <summary>Opens an expression whose arity is known only when <see cref="EndExpression"/> is called.</summary>
    internal void BeginExpression()
    {
        CountChild();
        if (_depth == _openAt.Length)
        {
            Array.Resize(ref _openAt, _depth * 2);
            Array.Resize(ref _childCounts, _depth * 2);
        }

        _openAt[_depth] = _length;
        _childCounts[_depth++] = 0;
        Reserve(1);
        _length++;
    }

    internal void EndExpression()
    {
        var at = _openAt[--_depth];
        var arity = _childCounts[_depth];
        if (arity <= EncodingTags.MaxShortArity)
        {
            _buffer[at] = (byte)arity;
            return;
        }

        // Rare: more than 63 children. Widen the placeholder into the long form.
        var extra = EncodingTags.VarintLength(arity);
        Reserve(extra);
        _buffer.AsSpan(at + 1, _length - at - 1).CopyTo(_buffer.AsSpan(at + 1 + extra));
        _buffer[at] = EncodingTags.LongArity;
        EncodingTags.WriteVarint(_buffer.AsSpan(at + 1), arity);
        _length += extra;
    }

    /// <summary>Writes the header of an expression whose arity is known up front.</summary>
    internal void WriteArity(int arity)
    {
        CountChild();
        Reserve(1 + EncodingTags.MaxVarintBytes);
        if (arity <= EncodingTags.MaxShortArity)
        {
            _buffer[_length++] = (byte)arity;
        }
        else
        {
            _buffer[_length++] = EncodingTags.LongArity;
            _length += EncodingTags.WriteVarint(_buffer.AsSpan(_length), arity);
        }
    }

    /// <summary>Writes a token (symbol, number, boolean or quoted string) given its canonical text.</summary>
    internal void WriteToken(ReadOnlySpan<byte> canonicalToken)
    {
        WriteTokenHeader(canonicalToken.Length);
        canonicalToken.CopyTo(_buffer.AsSpan(_length));
        _length += canonicalToken.Length;
    }

    /// <summary>Writes a string token from the string's value, quoting and escaping it in place.</summary>
    internal void WriteQuotedString(ReadOnlySpan<byte> valueUtf8)
    {
        var tokenLength = CanonicalText.QuotedLength(valueUtf8);
        WriteTokenHeader(tokenLength);
        CanonicalText.WriteQuoted(valueUtf8, _buffer.AsSpan(_length, tokenLength));
        _length += tokenLength;
    }

    internal void WriteVariable(ReadOnlySpan<byte> name)
    {
        CountChild();
        Reserve(1 + EncodingTags.MaxVarintBytes);
        var index = _variables.GetOrAdd(name, out var isNew);
        if (isNew)
        {
            _buffer[_length++] = EncodingTags.NewVar;
        }
        else if (index <= EncodingTags.MaxShortVarRef)
        {
            _buffer[_length++] = (byte)(EncodingTags.VarRefBase | index);
        }
        else
        {
            _buffer[_length++] = EncodingTags.LongVarRef;
            _length += EncodingTags.WriteVarint(_buffer.AsSpan(_length), index);
        }
    }

    private void WriteTokenHeader(int tokenLength)
    {
        CountChild();
        Reserve(1 + EncodingTags.MaxVarintBytes + tokenLength);
        // The empty symbol takes the long form: its short tag would be NewVar.
        if (tokenLength is > 0 and <= EncodingTags.MaxShortSymbol)
        {
            _buffer[_length++] = (byte)(EncodingTags.SymbolBase | tokenLength);
        }
        else
        {
            _buffer[_length++] = EncodingTags.LongSymbol;
            _length += EncodingTags.WriteVarint(_buffer.AsSpan(_length), tokenLength);
        }
    }

    private OversizedAtomException Oversized() =>
        new($"an atom encodes to more than {AtomLimit:N0} bytes, the limit for one atom") { Limit = AtomLimit };

    private void CountChild()
    {
        if (_depth > 0)
        {
            _childCounts[_depth - 1]++;
        }
    }

    private void Reserve(int bytes)
    {
        // A reservation may exceed what is then written by a token's varint header (at most 6 bytes).
        if ((long)_length - _atomStart + bytes > (long)AtomLimit + EncodingTags.MaxVarintBytes + 1)
        {
            throw Oversized();
        }

        if (_buffer.Length - _length < bytes)
        {
            var needed = (long)_length + bytes;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException("An encoded batch cannot exceed 2 GiB.");
            }

            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2)));
        }
    }
}
