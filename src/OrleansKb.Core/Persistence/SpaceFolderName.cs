using System.Security.Cryptography;
using System.Text;

namespace OrleansKb.Persistence;

/// <summary>
/// A space's folder name, safe whatever the user typed: lowercase ASCII letters, digits, <c>-</c> and
/// <c>_</c> stay; every other byte of the name's UTF-8 becomes <c>%xx</c> (lowercase hex) (so <c>A</c> and <c>a</c>
/// differ even on a case-insensitive file system, and <c>.</c>, <c>/</c> or <c>..</c> cannot escape
/// the folder). An escaped name longer than <see cref="MaxLength"/> is cut and ends with a hash of
/// the whole name, so distinct names keep distinct folders.
/// </summary>
internal static class SpaceFolderName
{
    /// <summary>Well under the 255 bytes a file name may have.</summary>
    public const int MaxLength = 120;

    // A name with a lone surrogate has no UTF-8: refused rather than merged with other such names.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string For(string space)
    {
        ArgumentException.ThrowIfNullOrEmpty(space);
        var escaped = new StringBuilder();
        foreach (var b in StrictUtf8.GetBytes(space))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_')
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (escaped.Length <= MaxLength)
        {
            return escaped.ToString();
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(StrictUtf8.GetBytes(space)))[..32];
        return $"{escaped.ToString(0, MaxLength - 33)}~{hash}";
    }
}
