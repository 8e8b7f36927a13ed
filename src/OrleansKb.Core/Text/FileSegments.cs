using System.Buffers;

namespace OrleansKb.Text;

/// <summary>
/// Cuts a .metta file into segments that can be read in parallel, each starting at the beginning of
/// a line outside any expression, string or comment. Finding the cuts needs only the structure the
/// reader would see — parentheses, strings (a <c>"</c> that starts a token, with its escapes) and
/// quoted symbols (<c>#"</c>, the same after the <c>#</c>), comments and lines — so a scan that jumps from one such byte to the next finds them at a small
/// fraction of the cost of reading.
/// <para>
/// The scan is a heuristic, not a reader: it does not know Unicode whitespace, so in rare text
/// (a string right after a no-break space) it could cut where the reader would not. Callers read
/// every segment with the full reader and, if any segment fails, read the whole file sequentially
/// to decide — so a cut can cost time, never correctness.
/// </para>
/// </summary>
public static class FileSegments
{
    private static readonly SearchValues<byte> Structure = SearchValues.Create("()\";\n\t\v\f\r "u8);
    private static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\\n"u8);

    /// <summary>At most <paramref name="count"/> segments of roughly equal size (and at least 1 MiB each) covering the whole file.</summary>
    public static List<FileSegment> Split(string path, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var length = stream.Length;
        var target = Math.Max(1L << 20, length / count);
        var segments = new List<FileSegment>();
        long segmentStart = 0, depth = 0, position = 0;
        bool inString = false, inComment = false, inWord = false, escaped = false;
        long hashAt = -1; // where the word being skipped starts, if it starts with a '#'
        var buffer = new byte[1 << 20];
        int read;
        while (count > 1 && (read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            for (var i = 0; i < span.Length; i++)
            {
                if (inString)
                {
                    if (escaped)
                    {
                        escaped = false;
                        continue;
                    }

                    var next = span[i..].IndexOfAny(StringEnd);
                    if (next < 0)
                    {
                        break;
                    }

                    i += next;
                    escaped = span[i] == (byte)'\\';
                    inString = span[i] != (byte)'"';

                    // A closed string or quoted symbol is a token of its own: a '"' next starts another.
                    inWord &= inString;
                    continue;
                }

                if (inComment)
                {
                    var newline = span[i..].IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        break;
                    }

                    i += newline;
                }

                switch (span[i])
                {
                    case (byte)'\n':
                        inComment = false;
                        inWord = false;
                        var lineStart = position + i + 1;
                        if (depth == 0 && lineStart - segmentStart >= target && lineStart < length)
                        {
                            segments.Add(new FileSegment(segmentStart, lineStart - segmentStart));
                            segmentStart = lineStart;
                        }

                        break;
                    case (byte)'(':
                        depth++;
                        inWord = false;
                        break;
                    case (byte)')':
                        depth = Math.Max(0, depth - 1);
                        inWord = false;
                        break;
                    case (byte)';':
                        inComment = true;
                        inWord = false;
                        break;
                    case (byte)'"' when !inWord || position + i == hashAt + 1:
                        inString = true;
                        break;
                    case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f':
                        inWord = false;
                        break;
                    default:
                        // A word (a '"' inside one is part of it, unless right after a '#' that starts
                        // it: a quoted symbol): jump to the next byte that matters.
                        if (!inWord)
                        {
                            hashAt = span[i] == (byte)'#' ? position + i : -1;
                        }

                        inWord = true;
                        var end = span[(i + 1)..].IndexOfAny(Structure);
                        i = end < 0 ? span.Length - 1 : i + end;
                        break;
                }
            }

            position += read;
        }

        segments.Add(new FileSegment(segmentStart, length - segmentStart));
        return segments;
    }
}
