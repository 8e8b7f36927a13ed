using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>Opens the .metta files named on the command line, turning the usual mistakes into one-line errors.</summary>
internal static class InputFiles
{
    public static MettaReader Open(string path)
    {
        Check(path);
        return MettaReader.OpenFile(path);
    }

    /// <summary>Throws a one-line <see cref="UserError"/> if <paramref name="path"/> is not a non-empty file.</summary>
    public static void Check(string path)
    {
        if (Directory.Exists(path))
        {
            throw new UserError($"{path}: is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new UserError($"{path}: no such file");
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new UserError($"{path}: the file is empty");
        }
    }
}
