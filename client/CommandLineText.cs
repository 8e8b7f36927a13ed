using System.Text;

namespace OrleansKb.Cli;

/// <summary>
/// Checks that the command line's arguments were valid UTF-8. .NET decodes them before the program
/// sees them, replacing invalid bytes with U+FFFD, so an atom given as an argument would be stored
/// with a character the user never typed. Where the raw bytes can be read (Linux:
/// <c>/proc/self/cmdline</c>), an argument holding U+FFFD is checked against them.
/// </summary>
internal static class CommandLineText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void RequireValidUtf8(string[] args)
    {
        if (!args.Any(a => a.Contains('\uFFFD', StringComparison.Ordinal)) || !File.Exists("/proc/self/cmdline"))
        {
            return;
        }

        foreach (var raw in File.ReadAllBytes("/proc/self/cmdline").AsSpan().TrimEnd((byte)0).ToArray().Split((byte)0))
        {
            try
            {
                Strict.GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                throw new UserError($"an argument is not valid UTF-8 ('{Encoding.UTF8.GetString(raw)}'); MeTTa text must be UTF-8");
            }
        }
    }

    private static List<byte[]> Split(this byte[] bytes, byte separator)
    {
        var parts = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == separator)
            {
                parts.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        return parts;
    }
}
