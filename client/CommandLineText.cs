using System.Text;
using System.Text.Unicode;

namespace OrleansKb.Cli;

/// <summary>
/// Checks that the command line's arguments were valid UTF-8. .NET decodes them before the program
/// sees them, replacing invalid bytes with U+FFFD, so an atom given as an argument would be stored
/// with a character the user never typed. Where the raw bytes can be read (Linux:
/// <c>/proc/self/cmdline</c>), an argument holding U+FFFD is checked against them.
/// </summary>
internal static class CommandLineText
{
    public static void RequireValidUtf8(string[] args)
    {
        if (!args.Any(a => a.Contains('\uFFFD', StringComparison.Ordinal)) || !File.Exists("/proc/self/cmdline"))
        {
            return;
        }

        ReadOnlySpan<byte> arguments = File.ReadAllBytes("/proc/self/cmdline").AsSpan().TrimEnd((byte)0);
        foreach (var range in arguments.Split((byte)0))
        {
            var raw = arguments[range];
            if (!Utf8.IsValid(raw))
            {
                throw new UserError($"an argument is not valid UTF-8 ('{Encoding.UTF8.GetString(raw)}'); MeTTa text must be UTF-8");
            }
        }
    }
}
