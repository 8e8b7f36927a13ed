using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Text;

/// <summary>
/// Reads MeTTa text (docs/metta-text.md: hyperon-experimental's grammar) from a stream of UTF-8 of any
/// size: the input passes through one buffer (1 MiB by default; it grows only to hold a single
/// top-level atom larger than that). Two outputs share one parse loop: atom objects
/// (<see cref="TryRead"/>), or encoded atoms written straight into a batch with no object per
/// atom (<see cref="ReadEncodedBatch"/>). Nesting is handled with an explicit stack, limited to
/// <see cref="MaxDepth"/> levels. Every error is a <see cref="MettaSyntaxException"/> naming the
/// 1-based line and column; after one, the reader stays failed.
/// </summary>
public sealed class MettaReader : IDisposable
{
    /// <summary>The default limit on expression nesting.</summary>
    public const int DefaultMaxDepth = 100_000;

    private const int DefaultBufferSize = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer;
    private int _pos;
    private int _end;
    private bool _started;
    private bool _streamEnded;
    private MettaSyntaxException? _failure;

    // Where we are in the text, known exactly at _anchor (≤ _pos): the line, the buffer index at
    // which that line starts, and how many of the line's characters were dropped from the buffer.
    // Kept up to date only when the buffer is refilled and when an error is reported, so the parse
    // loop never counts lines.
    private int _anchor;
    private long _line = 1;
    private int _lineStart;
    private long _columnBase;

    private int[] _openParens = new int[64];
    private byte[] _unescaped = [];
    private AtomBuilder? _atomBuilder;

    /// <summary>Reads UTF-8 MeTTa text from <paramref name="stream"/>; errors name <paramref name="sourceName"/>; the stream is disposed with the reader unless <paramref name="leaveOpen"/>.</summary>
    public MettaReader(Stream stream, string? sourceName = null, bool leaveOpen = false, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _stream = stream;
        _leaveOpen = leaveOpen;
        SourceName = sourceName;
        _buffer = new byte[bufferSize];
    }

    private enum Step
    {
        Atom,
        End,
        NeedMoreInput,
    }

    /// <summary>The name used in error messages (usually the file path).</summary>
    public string? SourceName { get; }

    /// <summary>The deepest expression nesting accepted; deeper input is an error.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    /// <summary>
    /// The largest top-level atom accepted, in encoded bytes, when the reader encodes
    /// (<see cref="ReadEncodedBatch"/>, <see cref="CountRemaining"/>): a larger one is an error at its
    /// first character. A space accepts at most 64 MiB.
    /// </summary>
    public int MaxAtomBytes { get; init; } = int.MaxValue;

    /// <summary>Top-level atoms read so far.</summary>
    public long AtomsRead { get; private set; }

    /// <summary>Bytes taken from the stream so far (the reader reads ahead of the atoms it has returned).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Opens a file for streaming; errors name it as <paramref name="path"/>.</summary>
    public static MettaReader OpenFile(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), path);

    /// <summary>All atoms of <paramref name="text"/>.</summary>
    public static List<Atom> Parse(string text, string? sourceName = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var reader = new MettaReader(new MemoryStream(bytes), sourceName, bufferSize: Math.Max(16, bytes.Length));
        return [.. reader.ReadAll()];
    }

    /// <summary>Reads the next top-level atom as an object; false at the end of the input.</summary>
    public bool TryRead([NotNullWhen(true)] out Atom? atom)
    {
        _atomBuilder ??= new AtomBuilder();
        var sink = new AtomSink(_atomBuilder);
        if (ReadNext(ref sink))
        {
            atom = _atomBuilder.Result;
            return true;
        }

        atom = null;
        return false;
    }

    /// <summary>The remaining atoms, read lazily.</summary>
    public IEnumerable<Atom> ReadAll()
    {
        while (TryRead(out var atom))
        {
            yield return atom;
        }
    }

    /// <summary>
    /// Appends encoded atoms to <paramref name="writer"/> until it holds at least
    /// <paramref name="maxBytes"/> bytes or the input ends; returns how many were appended (0 at the end).
    /// An atom is never split: the batch may exceed <paramref name="maxBytes"/> by the last atom.
    /// </summary>
    public int ReadEncodedBatch(EncodedAtomWriter writer, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.AtomLimit = MaxAtomBytes;
        var sink = new EncodingSink(writer);
        var count = 0;
        while (writer.Length < maxBytes && ReadNext(ref sink))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Reads and checks the rest of the input — the grammar, and the size of every atom's encoding —
    /// keeping nothing but one atom at a time; returns the number of atoms.
    /// </summary>
    public long CountRemaining(CancellationToken cancellationToken = default)
    {
        var scratch = new EncodedAtomWriter { AtomLimit = MaxAtomBytes };
        var sink = new EncodingSink(scratch);
        var before = AtomsRead;
        while (ReadNext(ref sink))
        {
            scratch.Clear();
            if ((AtomsRead & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return AtomsRead - before;
    }

    /// <summary>Releases the buffers, and the stream unless it was left open.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private bool ReadNext<TSink>(ref TSink sink)
        where TSink : struct, IParseSink
    {
        if (_failure is not null)
        {
            throw _failure;
        }

        if (!_started)
        {
            Start();
        }

        while (true)
        {
            Step step;
            try
            {
                step = ParseTopLevel(ref sink);
            }
            catch (MettaSyntaxException)
            {
                sink.AbortAtom();
                throw;
            }
            catch (OversizedAtomException e)
            {
                // The atom being read starts at the committed position.
                sink.AbortAtom();
                throw Error(_pos, $"this atom encodes to more than {e.Limit:N0} bytes, the limit for one atom");
            }

            switch (step)
            {
                case Step.Atom:
                    AtomsRead++;
                    return true;
                case Step.End:
                    return false;
                default:
                    Fill();
                    break;
            }
        }
    }

    private void Start()
    {
        _started = true;
        Fill();
        if (_buffer.AsSpan(0, _end).StartsWith(WordClassifier.ByteOrderMark))
        {
            // Not counted as a column: editors do not show it.
            _pos = _anchor = _lineStart = 3;
        }
    }

    /// <summary>Parses one top-level atom from the committed position, or says more input is needed.</summary>
    private Step ParseTopLevel<TSink>(ref TSink sink)
        where TSink : struct, IParseSink
    {
        var buffer = _buffer.AsSpan(0, _end);
        var final = _streamEnded;
        var pos = SkipTrivia(buffer, _pos, final, out var incomplete);
        _pos = pos;
        if (incomplete || (pos == buffer.Length && !final))
        {
            return Step.NeedMoreInput;
        }

        if (pos == buffer.Length)
        {
            return Step.End;
        }

        sink.BeginAtom();
        var depth = 0;
        while (true)
        {
            if (depth > 0)
            {
                pos = SkipTrivia(buffer, pos, final, out incomplete);
                if (incomplete || (pos == buffer.Length && !final))
                {
                    sink.AbortAtom();
                    return Step.NeedMoreInput;
                }

                if (pos == buffer.Length)
                {
                    throw Error(_openParens[depth - 1], "'(' is never closed: the input ends before its ')'");
                }
            }

            var b = buffer[pos];
            if (b == (byte)'(')
            {
                if (depth == MaxDepth)
                {
                    throw Error(pos, $"expressions nest deeper than {MaxDepth} levels, the reader's limit");
                }

                if (depth == _openParens.Length)
                {
                    Array.Resize(ref _openParens, depth * 2);
                }

                _openParens[depth++] = pos++;
                sink.BeginExpression();
                continue;
            }

            if (b == (byte)')')
            {
                if (depth == 0)
                {
                    throw Error(pos, "unexpected ')': no '(' is open");
                }

                depth--;
                pos++;
                sink.EndExpression();
            }
            else
            {
                pos = b switch
                {
                    (byte)'"' => ReadString(buffer, pos, final, ref sink),
                    (byte)'$' => ReadVariable(buffer, pos, final, ref sink),
                    (byte)'#' when pos + 1 == buffer.Length && !final => -1,
                    (byte)'#' when pos + 1 < buffer.Length && buffer[pos + 1] == (byte)'"' => ReadQuotedSymbol(buffer, pos, final, ref sink),
                    _ => ReadWord(buffer, pos, final, ref sink),
                };
                if (pos < 0)
                {
                    sink.AbortAtom();
                    return Step.NeedMoreInput;
                }
            }

            if (depth == 0)
            {
                break;
            }
        }

        sink.EndAtom();
        _pos = pos;
        return Step.Atom;
    }

    /// <summary>
    /// Skips whitespace and comments. Stops at the first other character, or — with
    /// <paramref name="incomplete"/> set — at a comment or character the buffer holds only part of.
    /// </summary>
    private int SkipTrivia(ReadOnlySpan<byte> buffer, int pos, bool final, out bool incomplete)
    {
        incomplete = false;
        while (pos < buffer.Length)
        {
            var b = buffer[pos];
            switch (ByteClass.Of(b))
            {
                case ByteClass.Space:
                    pos++;
                    continue;
                case ByteClass.Delimiter when b == (byte)';':
                    var newline = buffer[pos..].IndexOf((byte)'\n');
                    if (newline < 0 && !final)
                    {
                        incomplete = true;
                        return pos;
                    }

                    var end = newline < 0 ? buffer.Length : pos + newline;
                    CheckUtf8(buffer, pos, end);
                    pos = end;
                    continue;
                case ByteClass.NonAscii:
                    var status = Rune.DecodeFromUtf8(buffer[pos..], out var rune, out var length);
                    if (status == OperationStatus.NeedMoreData && !final)
                    {
                        incomplete = true;
                        return pos;
                    }

                    if (status != OperationStatus.Done)
                    {
                        throw Error(pos, "invalid UTF-8");
                    }

                    // U+FEFF is skipped where a token could start: a byte-order mark, or one pasted between atoms.
                    if (!Utf8Text.IsWhiteSpace(rune.Value) && rune.Value != 0xFEFF)
                    {
                        return pos;
                    }

                    pos += length;
                    continue;
                default:
                    return pos;
            }
        }

        return pos;
    }

    /// <summary>The end of the word starting at <paramref name="start"/>, or -1 when the buffer may end inside it.</summary>
    private int ScanWord(ReadOnlySpan<byte> buffer, int start, bool final)
    {
        var i = start;
        while (i < buffer.Length)
        {
            var cls = ByteClass.Of(buffer[i]);
            if (cls == ByteClass.Word)
            {
                i++;
                continue;
            }

            if (cls != ByteClass.NonAscii)
            {
                return i;
            }

            var status = Rune.DecodeFromUtf8(buffer[i..], out var rune, out var length);
            if (status == OperationStatus.NeedMoreData && !final)
            {
                return -1;
            }

            if (status != OperationStatus.Done)
            {
                throw Error(i, "invalid UTF-8");
            }

            if (Utf8Text.IsWhiteSpace(rune.Value))
            {
                return i;
            }

            i += length;
        }

        return final ? i : -1;
    }

    private int ReadWord<TSink>(ReadOnlySpan<byte> buffer, int pos, bool final, ref TSink sink)
        where TSink : struct, IParseSink
    {
        var end = ScanWord(buffer, pos, final);
        if (end < 0)
        {
            return -1;
        }

        var word = buffer[pos..end];
        var kind = WordClassifier.Classify(word);
        if (kind == WordKind.Integer && !CanonicalText.TryParseInteger(word, out _))
        {
            throw Error(pos, $"integer {Encoding.UTF8.GetString(word)} does not fit in 64 bits");
        }

        if (kind == WordKind.Double && !CanonicalText.TryParseDouble(word, out _))
        {
            throw Error(pos, $"number {Encoding.UTF8.GetString(word)} is out of the range of a double");
        }

        sink.Word(word, kind);
        return end;
    }

    private int ReadVariable<TSink>(ReadOnlySpan<byte> buffer, int pos, bool final, ref TSink sink)
        where TSink : struct, IParseSink
    {
        var end = ScanWord(buffer, pos + 1, final);
        if (end < 0)
        {
            return -1;
        }

        if (end == pos + 1)
        {
            throw Error(pos, "'$' must be followed by a variable name");
        }

        sink.Variable(buffer[(pos + 1)..end]);
        return end;
    }

    private int ReadString<TSink>(ReadOnlySpan<byte> buffer, int pos, bool final, ref TSink sink)
        where TSink : struct, IParseSink
    {
        var close = ScanQuoted(buffer, pos, pos, "string", final, out var hasEscapes, out var asWritten);
        if (close < 0)
        {
            return -1;
        }

        var inner = buffer[(pos + 1)..close];
        if (!hasEscapes)
        {
            sink.String(inner, asWritten ? buffer[pos..(close + 1)] : default);
        }
        else
        {
            sink.String(Unescaped(inner, pos + 1, rawBytes: false), default);
        }

        return close + 1;
    }

    /// <summary>A symbol that is not a word, written <c>#"…"</c> (docs/metta-text.md, "Symbols that are not words").</summary>
    private int ReadQuotedSymbol<TSink>(ReadOnlySpan<byte> buffer, int pos, bool final, ref TSink sink)
        where TSink : struct, IParseSink
    {
        var close = ScanQuoted(buffer, pos + 1, pos, "quoted symbol", final, out var hasEscapes, out _);
        if (close < 0)
        {
            return -1;
        }

        var inner = buffer[(pos + 2)..close];
        var bytes = hasEscapes ? Unescaped(inner, pos + 2, rawBytes: true) : inner;
        if (WordClassifier.ClassifyToken(bytes) is var kind and not WordKind.Symbol)
        {
            var text = Encoding.UTF8.GetString(bytes);
            throw Error(pos, $"#\"…\" holds the text of {WordClassifier.Describe(kind, bytes)}, which is not a symbol's name: write it as {text}");
        }

        sink.Word(bytes, WordKind.Symbol);
        return close + 1;
    }

    /// <summary>
    /// Finds the <c>"</c> that closes the quoted text opening at <paramref name="quote"/>, checking its
    /// UTF-8; -1 when the buffer may end inside it. Errors about the whole token name <paramref name="start"/>.
    /// </summary>
    private int ScanQuoted(ReadOnlySpan<byte> buffer, int quote, int start, string what, bool final, out bool hasEscapes, out bool asWritten)
    {
        var i = quote + 1;
        hasEscapes = false;
        asWritten = true;
        while (true)
        {
            if (i >= buffer.Length)
            {
                return final ? throw Error(start, $"{what} is never closed: the input ends before its '\"'") : -1;
            }

            var b = buffer[i];
            if (b == (byte)'"')
            {
                return i;
            }

            if (b == (byte)'\\')
            {
                if (i + 1 < buffer.Length && buffer[i + 1] >= 0x80)
                {
                    throw Error(i, "invalid escape sequence: '\\' followed by a non-ASCII character");
                }

                hasEscapes = true;
                i += 2;
            }
            else if (b < 0x80)
            {
                asWritten &= CanonicalText.NeedsNoEscaping(b);
                i++;
            }
            else
            {
                var status = Rune.DecodeFromUtf8(buffer[i..], out _, out var length);
                if (status == OperationStatus.NeedMoreData && !final)
                {
                    return -1;
                }

                if (status != OperationStatus.Done)
                {
                    throw Error(i, "invalid UTF-8");
                }

                i += length;
            }
        }
    }

    /// <summary>The bytes <paramref name="inner"/> (at <paramref name="at"/> in the buffer) stands for, its escapes resolved.</summary>
    private ReadOnlySpan<byte> Unescaped(ReadOnlySpan<byte> inner, int at, bool rawBytes)
    {
        if (_unescaped.Length < inner.Length)
        {
            _unescaped = new byte[Math.Max(inner.Length, 2 * _unescaped.Length)];
        }

        var bad = CanonicalText.Unescape(inner, _unescaped, rawBytes, out var written, out var error);
        return bad >= 0 ? throw Error(at + bad, error!) : _unescaped.AsSpan(0, written);
    }

    private void CheckUtf8(ReadOnlySpan<byte> buffer, int start, int end)
    {
        if (System.Text.Unicode.Utf8.IsValid(buffer[start..end]))
        {
            return;
        }

        for (var i = start; i < end;)
        {
            if (Rune.DecodeFromUtf8(buffer[i..end], out _, out var length) != OperationStatus.Done)
            {
                throw Error(i, "invalid UTF-8");
            }

            i += length;
        }
    }

    /// <summary>Moves the position anchor forward to <paramref name="index"/>, counting the lines passed.</summary>
    private void AdvanceAnchor(int index)
    {
        var passed = _buffer.AsSpan(_anchor, index - _anchor);
        var newlines = passed.Count((byte)'\n');
        if (newlines > 0)
        {
            _line += newlines;
            _lineStart = _anchor + passed.LastIndexOf((byte)'\n') + 1;
            _columnBase = 0;
        }

        _anchor = index;
    }

    private MettaSyntaxException Error(int index, string reason)
    {
        AdvanceAnchor(index);
        var column = _columnBase + Utf8Text.CountScalars(_buffer.AsSpan(_lineStart, index - _lineStart)) + 1;
        return _failure = new MettaSyntaxException(reason, _line, column, SourceName);
    }

    /// <summary>Drops what has been consumed, then reads more input, growing the buffer only if one atom fills it.</summary>
    private void Fill()
    {
        if (_pos > 0)
        {
            AdvanceAnchor(_pos);
            _columnBase += Utf8Text.CountScalars(_buffer.AsSpan(_lineStart, _pos - _lineStart));
            _buffer.AsSpan(_pos, _end - _pos).CopyTo(_buffer);
            _end -= _pos;
            _pos = _anchor = _lineStart = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length == Array.MaxLength)
            {
                throw Error(0, "a single top-level atom is larger than 2 GiB, more than the reader can hold");
            }

            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, 2L * _buffer.Length));
        }

        var wanted = _buffer.Length - _end;
        var read = _stream.ReadAtLeast(_buffer.AsSpan(_end), wanted, throwOnEndOfStream: false);
        _end += read;
        BytesRead += read;
        _streamEnded = read < wanted;
    }
}
