namespace OrleansKb.Codec;

/// <summary>
/// Reads encoded bytes one at a time and says when the items owed are complete (docs/encoding.md):
/// how a walk over the trie knows where one stored item ends without decoding it. A value type, so
/// a walk copies it into each branch.
/// </summary>
internal struct EncodedItemReader(long owed)
{
    private long _owed = owed;
    private int _tokenLeft;
    private byte _varintTag;
    private int _varint;
    private int _shift;

    /// <summary>Whether a variable (NewVar, VarRef) has been read: the item is not ground.</summary>
    public bool SawVariable { get; private set; }

    /// <summary>
    /// Takes bytes from <paramref name="run"/> until the item(s) are complete or the run ends, a
    /// token's bytes at a time; returns how many it took, and sets <paramref name="complete"/>.
    /// </summary>
    public int ReadRun(ReadOnlySpan<byte> run, out bool complete)
    {
        var read = 0;
        complete = false;
        while (read < run.Length)
        {
            if (_tokenLeft > 0)
            {
                var skip = Math.Min(_tokenLeft, run.Length - read);
                _tokenLeft -= skip;
                read += skip;
                complete = _owed == 0 && _tokenLeft == 0 && _varintTag == 0;
                if (complete)
                {
                    return read;
                }

                continue;
            }

            if (Read(run[read++]))
            {
                complete = true;
                return read;
            }
        }

        return read;
    }

    /// <summary>Takes one byte; true when it completes the item(s).</summary>
    public bool Read(byte b)
    {
        if (_tokenLeft > 0)
        {
            _tokenLeft--;
        }
        else if (_varintTag != 0)
        {
            _varint |= (b & 0x7F) << _shift;
            _shift += 7;
            if (b < 0x80)
            {
                switch (_varintTag)
                {
                    case EncodingTags.LongArity:
                        _owed += _varint;
                        break;
                    case EncodingTags.LongSymbol:
                        _tokenLeft = _varint;
                        break;
                    default:
                        break;
                }

                _varintTag = 0;
            }
        }
        else
        {
            _owed--;
            switch (b)
            {
                case <= EncodingTags.MaxShortArity:
                    _owed += b;
                    break;
                case EncodingTags.LongArity or EncodingTags.LongSymbol or EncodingTags.LongVarRef:
                    _varintTag = b;
                    _varint = 0;
                    _shift = 0;
                    SawVariable |= b == EncodingTags.LongVarRef;
                    break;
                case > EncodingTags.SymbolBase:
                    _tokenLeft = b & 0x3F;
                    break;
                default:
                    // NewVar or a short VarRef (0x80–0xC0).
                    SawVariable = true;
                    break;
            }
        }

        return _owed == 0 && _tokenLeft == 0 && _varintTag == 0;
    }

    /// <summary>True if <paramref name="tag"/> starts a variable (NewVar, VarRef or the long VarRef).</summary>
    public static bool StartsVariable(byte tag) => tag is EncodingTags.LongVarRef or (>= EncodingTags.VarRefBase and <= EncodingTags.NewVar);
}
