namespace OrleansKb.Codec;

/// <summary>
/// Numbers one atom's variables by first occurrence, keyed by name bytes. Open addressing over
/// indexes into a name arena, so an atom with 100,000 variables costs no more per lookup than one with 3.
/// </summary>
internal sealed class VariableTable
{
    private byte[] _names = new byte[256];
    private int _namesLength;
    private (int Offset, int Length, int Hash)[] _entries = new (int, int, int)[16];
    private int[] _slots = new int[32];

    public int Count { get; private set; }

    public void Clear()
    {
        if (Count > 0)
        {
            Array.Clear(_slots);
            Count = 0;
            _namesLength = 0;
        }
    }

    /// <summary>The variable's number, and whether this is its first occurrence (it is then given the next number).</summary>
    public int GetOrAdd(ReadOnlySpan<byte> name, out bool isNew)
    {
        var hash = Hash(name);
        var mask = _slots.Length - 1;
        for (var slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            var entryPlusOne = _slots[slot];
            if (entryPlusOne == 0)
            {
                isNew = true;
                return Add(name, hash, slot);
            }

            ref var entry = ref _entries[entryPlusOne - 1];
            if (entry.Hash == hash && _names.AsSpan(entry.Offset, entry.Length).SequenceEqual(name))
            {
                isNew = false;
                return entryPlusOne - 1;
            }
        }
    }

    private int Add(ReadOnlySpan<byte> name, int hash, int slot)
    {
        if (_namesLength + name.Length > _names.Length)
        {
            Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesLength + name.Length));
        }

        name.CopyTo(_names.AsSpan(_namesLength));
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        var index = Count++;
        _entries[index] = (_namesLength, name.Length, hash);
        _namesLength += name.Length;
        _slots[slot] = index + 1;
        if (Count * 2 > _slots.Length)
        {
            Rehash();
        }

        return index;
    }

    private void Rehash()
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var i = 0; i < Count; i++)
        {
            var slot = _entries[i].Hash & mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _slots[slot] = i + 1;
        }
    }

    private static int Hash(ReadOnlySpan<byte> name)
    {
        // FNV-1a: names are short; this is cheaper than a general-purpose hasher's setup.
        var hash = 2166136261u;
        foreach (var b in name)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
