namespace OrleansKb.Storage;

public sealed partial class ByteTrie
{
    /// <summary>
    /// The keys in ascending byte order, optionally only those starting with <paramref name="prefix"/>.
    /// Each key is a span valid until the next step; the trie must not change during the enumeration.
    /// </summary>
    public KeyEnumerator EnumerateKeys(ReadOnlySpan<byte> prefix = default) => new(this, prefix, seekAfter: false);

    /// <summary>
    /// The keys greater than <paramref name="after"/>, in ascending byte order: where a paged export
    /// resumes. Finds the place in one descent; the trie must not change during the enumeration.
    /// </summary>
    public KeyEnumerator EnumerateKeysAfter(ReadOnlySpan<byte> after) => new(this, after, seekAfter: true);

    /// <summary>
    /// Depth-first enumeration of keys without recursion: a stack of (node, next child, key length),
    /// and one key buffer that grows and shrinks as the walk goes down and up.
    /// </summary>
    public struct KeyEnumerator
    {
        private readonly ByteTrie _trie;
        private (int Node, int NextChild, int KeyLength)[] _frames = new (int, int, int)[16];
        private int _depth;
        private byte[] _key = new byte[64];
        private int _keyLength;
        private int _currentLength;

        // Set when Start already made a key current (a leaf matching the prefix, or a terminal node).
        private bool _pendingCurrent;

        internal KeyEnumerator(ByteTrie trie, ReadOnlySpan<byte> bytes, bool seekAfter)
        {
            _trie = trie;
            Restart(bytes, seekAfter);
        }

        /// <summary>The current key.</summary>
        public readonly ReadOnlySpan<byte> Current => _key.AsSpan(0, _currentLength);

        public readonly KeyEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_pendingCurrent)
            {
                _pendingCurrent = false;
                _currentLength = _keyLength;
                return true;
            }

            var trie = _trie;
            while (_depth > 0)
            {
                ref var frame = ref _frames[_depth - 1];
                ref var node = ref trie._nodes[frame.Node];
                if (frame.NextChild == node.ChildCount)
                {
                    _depth--;
                    continue;
                }

                var slot = node.ChildStart + frame.NextChild++;
                _keyLength = frame.KeyLength;
                Append(trie._childKeys[slot]);
                var child = trie._childRefs[slot];
                if (child < 0)
                {
                    Append(trie.LeafBytes(child));
                    _currentLength = _keyLength;
                    return true;
                }

                if (Enter(child))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Starts again, keeping the buffers: the keys starting with <paramref name="bytes"/>, or with
        /// <paramref name="seekAfter"/> the keys greater than it (which must not be <see cref="Current"/>'s buffer).
        /// </summary>
        internal void Restart(ReadOnlySpan<byte> bytes, bool seekAfter)
        {
            (_depth, _keyLength, _currentLength, _pendingCurrent) = (0, 0, 0, false);
            if (seekAfter)
            {
                SeekAfter(bytes);
            }
            else
            {
                Start(bytes);
            }
        }

        /// <summary>Descends along the prefix to where the matching keys are, then enters that subtree.</summary>
        private void Start(ReadOnlySpan<byte> prefix)
        {
            var trie = _trie;
            var node = RootNode;
            var i = 0;
            while (true)
            {
                var label = trie.LabelOf(node);
                var rest = prefix[i..];
                if (rest.Length <= label.Length)
                {
                    if (label.StartsWith(rest))
                    {
                        _pendingCurrent = Enter(node);
                    }

                    return;
                }

                if (!rest.StartsWith(label))
                {
                    return;
                }

                Append(label);
                i += label.Length;
                var slot = trie.FindChild(node, prefix[i], out _);
                if (slot < 0)
                {
                    return;
                }

                Append(prefix[i]);
                var child = trie._childRefs[slot];
                if (child < 0)
                {
                    var leaf = trie.LeafBytes(child);
                    if (leaf.StartsWith(prefix[(i + 1)..]))
                    {
                        Append(leaf);
                        _pendingCurrent = true;
                    }

                    return;
                }

                node = child;
                i++;
            }
        }

        /// <summary>
        /// Descends along <paramref name="after"/>, leaving on the stack, at each node of its path, the
        /// children after the one it takes: the enumeration then continues with the next greater key.
        /// </summary>
        private void SeekAfter(ReadOnlySpan<byte> after)
        {
            var trie = _trie;
            var node = RootNode;
            var i = 0;
            while (true)
            {
                var label = trie.LabelOf(node);
                var rest = after[i..];
                var shared = label.CommonPrefixLength(rest);
                if (shared < label.Length)
                {
                    // The label leaves `after` here: the whole subtree is after it if the label's byte
                    // is greater or `after` has ended (every key below extends it), else before it.
                    if (shared == rest.Length || label[shared] > rest[shared])
                    {
                        _pendingCurrent = Enter(node);
                    }

                    return;
                }

                Append(label);
                PushFrame(node, 0);
                i += label.Length;
                if (i == after.Length)
                {
                    // A key equal to `after` ends here (not included); all children come after it.
                    return;
                }

                ref var n = ref trie._nodes[node];
                var keys = trie._childKeys.AsSpan(n.ChildStart, n.ChildCount);
                var b = after[i];
                var index = 0;
                while (index < keys.Length && keys[index] < b)
                {
                    index++;
                }

                var takesChild = index < keys.Length && keys[index] == b;
                _frames[_depth - 1].NextChild = takesChild ? index + 1 : index;
                if (!takesChild)
                {
                    return;
                }

                var child = trie._childRefs[n.ChildStart + index];
                if (child < 0)
                {
                    // One key left on this path: it comes next if it is greater than `after`.
                    var leaf = trie.LeafBytes(child);
                    if (leaf.SequenceCompareTo(after[(i + 1)..]) > 0)
                    {
                        Append(b);
                        Append(leaf);
                        _pendingCurrent = true;
                    }

                    return;
                }

                Append(b);
                node = child;
                i++;
            }
        }

        private void PushFrame(int node, int nextChild)
        {
            if (_depth == _frames.Length)
            {
                Array.Resize(ref _frames, _depth * 2);
            }

            _frames[_depth++] = (node, nextChild, _keyLength);
        }

        /// <summary>Pushes a node (its label joins the key); true if a key ends at it, which is then current.</summary>
        private bool Enter(int node)
        {
            Append(_trie.LabelOf(node));
            PushFrame(node, 0);
            if (_trie._nodes[node].Terminal)
            {
                _currentLength = _keyLength;
                return true;
            }

            return false;
        }

        private void Append(byte b)
        {
            if (_keyLength == _key.Length)
            {
                Array.Resize(ref _key, _key.Length * 2);
            }

            _key[_keyLength++] = b;
        }

        private void Append(ReadOnlySpan<byte> bytes)
        {
            if (_keyLength + bytes.Length > _key.Length)
            {
                Array.Resize(ref _key, Math.Max(_key.Length * 2, _keyLength + bytes.Length));
            }

            bytes.CopyTo(_key.AsSpan(_keyLength));
            _keyLength += bytes.Length;
        }
    }
}
