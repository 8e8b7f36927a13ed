using OrleansKb.Codec;
using OrleansKb.Storage;

namespace OrleansKb.Spaces;

/// <summary>What <see cref="PatternWalk.Next"/> stopped at.</summary>
internal enum WalkStep : byte
{
    /// <summary>A stored key that fits the pattern: <see cref="PatternWalk.Key"/>.</summary>
    Candidate,

    /// <summary>No more keys.</summary>
    Done,

    /// <summary>The work allowance ran out; call again to go on.</summary>
    Paused,
}

/// <summary>
/// The stored keys whose encodings fit one encoded pattern, found by walking the trie along the
/// pattern item by item, in prefix order (docs/matching.md):
/// <list type="bullet">
/// <item>a constant (a token, or an expression's arity header) descends along its bytes — and, for
/// two-way matching, along any stored variable at that place, which then stands for the pattern's
/// whole sub-term;</item>
/// <item>a pattern variable skips exactly one complete stored item, whatever its size.</item>
/// </list>
/// <para>
/// The walk is resumable and bounded: <see cref="Next"/> does at most a given amount of work, keeps
/// its place in an explicit depth-first stack (at most one frame per child of each node on the
/// current path, whatever the number of keys), and gives the keys in ascending byte order. If the
/// trie changes between two calls, the walk starts again from the root and skips every key before
/// its resume point — the smallest prefix it has not explored, the path to the frame it would visit
/// next — so it never repeats work and always progresses, however often the trie changes: keys
/// present all along are given exactly once, keys added or removed meanwhile may or may not be.
/// </para>
/// </summary>
internal sealed class PatternWalk(ByteTrie trie)
{
    private readonly Stack<Frame> _stack = new();
    // The walked pattern: the first _patternLength bytes of a buffer the walk owns and reuses.
    private byte[] _pattern = new byte[64];
    private int _patternLength;
    private readonly List<PatternItem> _items = [];
    private readonly Stack<(int Item, long Children)> _owed = new();
    private byte[] _path = new byte[64];
    private int _pathLength;
    private byte[] _lastKey = new byte[64];
    private int _lastKeyLength = -1;

    // The resume point after a change: keys below it have been walked; keys that start with it or
    // lie above it have not.
    private byte[] _bound = [];
    private int _boundLength;
    private bool _hasBound;
    private int _version;
    private bool _storedVariables = true;

    // Set when the pattern is constants followed only by distinct variables and the trie holds no
    // variable: every key under the constants' prefix is then a candidate, enumerated directly.
    private int _tailPrefix = -1;
    private ByteTrie.KeyEnumerator _tailKeys;
    private bool _tailKeysMade;

    // Set once the trie has changed during a tail walk: atoms with variables may have come in since.
    private bool _tailChanged;

    private enum FrameKind : byte
    {
        /// <summary>At the start of pattern item <see cref="Frame.Index"/>.</summary>
        Item,

        /// <summary>Descend along the constant pattern item <see cref="Frame.Index"/>.</summary>
        Constant,

        /// <summary>Part way through one stored item: for a pattern variable, or a stored variable met by a constant.</summary>
        Skip,
    }

    /// <summary>The encoded pattern being walked.</summary>
    public ReadOnlySpan<byte> Pattern => _pattern.AsSpan(0, _patternLength);

    /// <summary>The pattern's items in prefix order; not made when the walk enumerates a tail (<see cref="TailStart"/>).</summary>
    public List<PatternItem> Items => _items;

    /// <summary>
    /// Where the variables start in every candidate key, if the pattern is constants followed only by
    /// distinct variables and the trie holds no variable (each key under the constants is a candidate,
    /// one item per variable after this offset); else -1.
    /// </summary>
    public int TailStart => _tailPrefix;

    /// <summary>The key of the last <see cref="WalkStep.Candidate"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Key => _lastKey.AsSpan(0, _lastKeyLength);

    /// <summary>
    /// <see cref="Key"/> as memory, for bindings that keep slices of it: its bytes stay as they are until
    /// the next candidate (which may overwrite the buffer, or move to a larger one and leave these as they were).
    /// </summary>
    public ReadOnlyMemory<byte> KeyMemory => _lastKey.AsMemory(0, _lastKeyLength);

    /// <summary>
    /// True if the last candidate has no variable where the pattern has a constant or a variable's
    /// first occurrence: the walk has then checked every constant, and each pattern variable stands
    /// for the stored item it skipped.
    /// </summary>
    public bool KeyIsGround { get; private set; }

    /// <summary>
    /// Starts walking for <paramref name="pattern"/> (one encoded atom, copied) from the first key. With
    /// <paramref name="storedVariables"/> false the trie holds no atom with a variable (when the walk
    /// starts), so a constant only descends along its own bytes. <paramref name="tailVariables"/>, if
    /// not 0, says the pattern ends with that many new variables after all its constants
    /// (<see cref="LevelPlan.TailVariables"/>).
    /// </summary>
    public void Start(ReadOnlySpan<byte> pattern, bool storedVariables = true, int tailVariables = 0)
    {
        CopyTo(ref _pattern, pattern);
        _patternLength = pattern.Length;
        _storedVariables = storedVariables;
        _lastKeyLength = -1;
        _hasBound = false;
        _stack.Clear();
        _version = trie.Version;
        if (storedVariables || tailVariables == 0)
        {
            PatternItem.Split(Pattern, _items, _owed);
        }
        else
        {
            // The caller knows the pattern ends with this many new variables, one byte each: no need to split it.
            _items.Clear();
        }

        _tailPrefix = storedVariables ? -1 : tailVariables > 0 ? pattern.Length - tailVariables : PatternItem.TailStart(Pattern, _items);
        _tailChanged = false;
        if (_tailPrefix >= 0)
        {
            RestartTail(seekAfter: false);
            return;
        }

        _stack.Push(new Frame { Kind = FrameKind.Item, Position = ByteTrie.Start, Edge = -1, Ground = true });
    }

    /// <summary>Enumerates the keys under the prefix: from the first, or after the last one given (when the trie changed).</summary>
    private void RestartTail(bool seekAfter)
    {
        var from = seekAfter ? _lastKey.AsSpan(0, _lastKeyLength) : _pattern.AsSpan(0, _tailPrefix);
        if (!_tailKeysMade)
        {
            _tailKeys = seekAfter ? trie.EnumerateKeysAfter(from) : trie.EnumerateKeys(from);
            _tailKeysMade = true;
        }
        else
        {
            _tailKeys.Restart(from, seekAfter);
        }
    }

    /// <summary><see cref="Next"/> for a pattern of constants and distinct variables in a trie without variables: each key under the prefix, one unit of work each.</summary>
    private WalkStep NextInTail(ref int work)
    {
        if (trie.Version != _version)
        {
            _version = trie.Version;
            _tailChanged = true;
            RestartTail(seekAfter: _lastKeyLength >= 0);
        }

        if (work <= 0)
        {
            return WalkStep.Paused;
        }

        work--;
        if (!_tailKeys.MoveNext() || !_tailKeys.Current.StartsWith(_pattern.AsSpan(0, _tailPrefix)))
        {
            return WalkStep.Done;
        }

        CopyTo(ref _lastKey, _tailKeys.Current);
        _lastKeyLength = _tailKeys.Current.Length;

        // Under a prefix of constants, a key added since the walk began may hold variables after it
        // (one matching the constants' bytes cannot hold any before): such a key is unified, not bound.
        KeyIsGround = !_tailChanged || !EncodedItem.ContainsVariable(Key);
        return WalkStep.Candidate;
    }

    /// <summary>
    /// Walks until the next candidate, the end, or until <paramref name="work"/> (frames visited)
    /// is spent; <paramref name="work"/> is decreased by what was used.
    /// </summary>
    public WalkStep Next(ref int work)
    {
        if (_tailPrefix >= 0)
        {
            return NextInTail(ref work);
        }

        if (trie.Version != _version)
        {
            // The trie changed: positions on the stack mean nothing now. Go again from the root,
            // skipping every key below the resume point.
            _version = trie.Version;
            if (_stack.Count > 0)
            {
                ResumeFrom(_stack.Peek());
            }
        }

        while (_stack.Count > 0)
        {
            if (work <= 0)
            {
                return WalkStep.Paused;
            }

            work--;
            if (Visit(_stack.Pop()))
            {
                return WalkStep.Candidate;
            }
        }

        return WalkStep.Done;
    }

    /// <summary>
    /// Restarts from the root, bounded below by the resume point: the path to <paramref name="next"/>,
    /// the frame the walk would have visited next (the path to it, still in the buffer — only frames
    /// pushed after it have written beyond it — then the byte that leads into it, or the constant it
    /// descends along). Frames come off the stack in key order, so every key below that path has been
    /// walked and none that starts with it or lies above it has. A frame left over from the last
    /// restart may lie below the current resume point (it would have been cut off): the resume point
    /// never moves back.
    /// </summary>
    private void ResumeFrom(Frame next)
    {
        ReadOnlySpan<byte> entry = next.Edge >= 0 ? [(byte)next.Edge]
            : next.Kind == FrameKind.Constant ? _pattern.AsSpan(_items[next.Index].Offset, _items[next.Index].Length)
            : [];
        var length = next.PathLength + entry.Length;
        var start = new byte[length];
        _path.AsSpan(0, next.PathLength).CopyTo(start);
        entry.CopyTo(start.AsSpan(next.PathLength));
        if (!_hasBound || Later(start, _bound.AsSpan(0, _boundLength)))
        {
            _bound = start;
            _boundLength = length;
            _hasBound = true;
        }

        _stack.Clear();
        _stack.Push(new Frame { Kind = FrameKind.Item, Position = ByteTrie.Start, Edge = -1, Ground = true, Tight = true });

        // True if the keys that start with `start` come after `bound`: `start` is above it, or starts with it.
        static bool Later(ReadOnlySpan<byte> start, ReadOnlySpan<byte> bound)
        {
            var shared = Math.Min(start.Length, bound.Length);
            var order = start[..shared].SequenceCompareTo(bound[..shared]);
            return order > 0 || (order == 0 && start.Length >= bound.Length);
        }
    }

    /// <summary>Follows one frame as far as it leads without branching; true if that is a candidate key.</summary>
    private bool Visit(Frame frame)
    {
        _pathLength = frame.PathLength;
        var tight = frame.Tight;
        var kind = frame.Kind;
        var index = frame.Index;
        var position = frame.Position;
        var ground = frame.Ground;
        var reader = frame.Reader;
        var complete = false;
        if (frame.Edge >= 0)
        {
            var edge = (byte)frame.Edge;
            if (!Append([edge], ref tight))
            {
                return false;
            }

            complete = reader.Read(edge);
        }

        while (true)
        {
            switch (kind)
            {
                case FrameKind.Item:
                    if (index == _items.Count)
                    {
                        // A tight key shorter than the resume point lies below it: already walked.
                        if (!trie.IsKeyEnd(position) || (tight && _pathLength < _boundLength))
                        {
                            return false;
                        }

                        CopyTo(ref _lastKey, _path.AsSpan(0, _pathLength));
                        _lastKeyLength = _pathLength;
                        KeyIsGround = ground;
                        return true;
                    }

                    if (_items[index].Kind == PatternItemKind.Variable)
                    {
                        kind = FrameKind.Skip;
                        reader = new EncodedItemReader(1);
                        frame.StoredVariable = false;
                        complete = false;
                        continue;
                    }

                    if (!_storedVariables)
                    {
                        // No stored variable to meet: the constant's own bytes are the only way on.
                        kind = FrameKind.Constant;
                        continue;
                    }

                    PushConstantWays(index, position, ground, tight);
                    return false;

                case FrameKind.Constant:
                    var item = _items[index];
                    var constant = _pattern.AsSpan(item.Offset, item.Length);
                    if (!trie.TryDescend(ref position, constant) || !Append(constant, ref tight))
                    {
                        return false;
                    }

                    index++;
                    kind = FrameKind.Item;
                    continue;

                default:
                    if (!complete)
                    {
                        var run = trie.Run(position);
                        var read = reader.ReadRun(run, out complete);

                        if (!Append(run[..read], ref tight))
                        {
                            return false;
                        }

                        position = position with { Offset = position.Offset + read };
                        if (!complete)
                        {
                            PushSkipBranches(frame, index, position, reader, ground, tight);
                            return false;
                        }
                    }

                    // One stored item read: a stored variable stands for the pattern's whole sub-term;
                    // a pattern variable's item makes the key non-ground if it holds a variable.
                    if (frame.StoredVariable)
                    {
                        ground = false;
                        index = _items[index].SubtreeEnd;
                    }
                    else
                    {
                        ground = ground && !reader.SawVariable;
                        index++;
                    }

                    kind = FrameKind.Item;
                    continue;
            }
        }
    }

    /// <summary>At a constant pattern item: the way along its bytes, and the ways along stored variables, pushed so they pop in byte order.</summary>
    private void PushConstantWays(int index, TriePosition position, bool ground, bool tight)
    {
        var first = _pattern[_items[index].Offset];
        var constantWay = new Frame { Kind = FrameKind.Constant, Index = index, Position = position, PathLength = _pathLength, Edge = -1, Ground = ground, Tight = tight };
        var run = trie.Run(position);
        if (!run.IsEmpty)
        {
            if (EncodedItemReader.StartsVariable(run[0]))
            {
                _stack.Push(StoredVariableWay(index, position, -1, tight));
            }
            else if (run[0] == first)
            {
                _stack.Push(constantWay);
            }

            return;
        }

        // The ways on are the child for the constant's first byte and the children that start a
        // variable (0x42, 0x80–0xC0): found by binary search, not by looking at every child.
        var keys = trie.ChildKeys(position);
        // At most: the long VarRef, the 64 short VarRefs and NewVar (0x80–0xC0), and the constant.
        Span<int> ways = stackalloc int[3 + EncodingTags.NewVar - EncodingTags.VarRefBase];
        var count = 0;
        if (keys.BinarySearch(EncodingTags.LongVarRef) is >= 0 and var longVar)
        {
            ways[count++] = longVar;
        }

        if (keys.BinarySearch(first) is >= 0 and var constantChild && !EncodedItemReader.StartsVariable(first))
        {
            ways[count++] = constantChild;
        }

        var from = keys.BinarySearch(EncodingTags.VarRefBase);
        for (var i = from >= 0 ? from : ~from; i < keys.Length && keys[i] <= EncodingTags.NewVar; i++)
        {
            ways[count++] = i;
        }

        ways[..count].Sort();
        for (var w = count - 1; w >= 0; w--)
        {
            var child = trie.Child(position, ways[w], out var edge);
            _stack.Push(EncodedItemReader.StartsVariable(edge) ? StoredVariableWay(index, child, edge, tight) : constantWay);
        }
    }

    private Frame StoredVariableWay(int index, TriePosition position, int edge, bool tight) => new()
    {
        Kind = FrameKind.Skip,
        Index = index,
        Position = position,
        PathLength = _pathLength,
        Edge = (short)edge,
        Reader = new EncodedItemReader(1),
        StoredVariable = true,
        Ground = false,
        Tight = tight,
    };

    /// <summary>Part way through a stored item at the end of a node's label: each child continues it, pushed so they pop in byte order.</summary>
    private void PushSkipBranches(Frame frame, int index, TriePosition position, EncodedItemReader reader, bool ground, bool tight)
    {
        for (var i = trie.ChildCount(position) - 1; i >= 0; i--)
        {
            var child = trie.Child(position, i, out var edge);
            _stack.Push(frame with { Kind = FrameKind.Skip, Index = index, Position = child, PathLength = _pathLength, Edge = edge, Reader = reader, Ground = ground, Tight = tight });
        }
    }

    /// <summary>
    /// Appends bytes to the path. While the path equals the start of the resume point, a path that
    /// falls below it is cut off (false: walked before the change); one that rises above it, or
    /// reaches past its end (it then starts with it), is no longer tight: not walked yet.
    /// </summary>
    private bool Append(ReadOnlySpan<byte> bytes, ref bool tight)
    {
        if (tight)
        {
            var bound = _bound.AsSpan(0, _boundLength);
            var rest = _pathLength < bound.Length ? bound[_pathLength..] : [];
            var shared = Math.Min(bytes.Length, rest.Length);
            var order = bytes[..shared].SequenceCompareTo(rest[..shared]);
            if (order < 0)
            {
                return false;
            }

            tight = order == 0 && bytes.Length <= rest.Length;
        }

        if (_pathLength + bytes.Length > _path.Length)
        {
            Array.Resize(ref _path, Math.Max(_path.Length * 2, _pathLength + bytes.Length));
        }

        bytes.CopyTo(_path.AsSpan(_pathLength));
        _pathLength += bytes.Length;
        return true;
    }

    private static void CopyTo(ref byte[] buffer, ReadOnlySpan<byte> bytes)
    {
        if (buffer.Length < bytes.Length)
        {
            buffer = new byte[Math.Max(bytes.Length, buffer.Length * 2)];
        }

        bytes.CopyTo(buffer);
    }

    /// <summary>One place the walk still has to go: a trie position, the pattern item there, and how the path got there.</summary>
    private record struct Frame
    {
        public FrameKind Kind;
        public int Index;
        public TriePosition Position;

        /// <summary>The path's length before this frame's bytes: siblings share the path buffer.</summary>
        public int PathLength;

        /// <summary>The byte into <see cref="Position"/>'s child, read first; -1 if none.</summary>
        public short Edge;

        /// <summary>For <see cref="FrameKind.Skip"/>: how far the stored item has been read, and whether it held a variable.</summary>
        public EncodedItemReader Reader;

        public bool StoredVariable;
        public bool Ground;

        /// <summary>The path so far equals the start of the resume point (only after the trie changed).</summary>
        public bool Tight;
    }
}
