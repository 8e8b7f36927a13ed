using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>
/// The inputs named on the command line: a path, or <c>-</c> for standard input. Regular files are
/// read by path (a load reads them in parallel segments); anything that cannot seek — standard
/// input, a pipe, <c>/dev/stdin</c> — is read as a stream. The usual mistakes become one-line errors.
/// </summary>
internal sealed class InputFiles(Func<Stream> openStandardInput)
{
    /// <summary>Throws a one-line <see cref="UserError"/> unless <paramref name="name"/> is <c>-</c> or a file that exists.</summary>
    public static void Check(string name)
    {
        if (name == "-")
        {
            return;
        }

        if (Directory.Exists(name))
        {
            throw new UserError($"{name}: is a directory, not a file");
        }

        if (!File.Exists(name))
        {
            throw new UserError($"{name}: no such file");
        }
    }

    /// <summary>True if <paramref name="name"/> is a regular file a reader can come back to (seek in), not standard input or a pipe.</summary>
    public static bool IsSeekableFile(string name)
    {
        Check(name);
        if (name == "-")
        {
            return false;
        }

        using var stream = new FileStream(name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        return stream.CanSeek;
    }

    /// <summary>The input as a stream: standard input for <c>-</c>, else the file.</summary>
    public Stream OpenStream(string name)
    {
        Check(name);
        return name == "-"
            ? openStandardInput()
            : new FileStream(name, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    }

    /// <summary>A reader over the input; errors name it as given (<c>-</c> for standard input).</summary>
    public MettaReader OpenReader(string name) => new(OpenStream(name), name) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
}
