namespace OrleansKb.Persistence;

/// <summary>
/// Creates the data directory's folders and files for the silo's user only (0700 folders, 0600
/// files): a space's atoms are no other local user's to read. On Windows a new file takes its
/// folder's access list, so nothing is set there.
/// </summary>
internal static class OwnerOnly
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="path"/> and any missing folder above it, each for the owner only; one that exists keeps its mode.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            // The mode applies only to the last folder Directory.CreateDirectory makes: make the missing ones above first.
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent)
            {
                CreateDirectory(parent);
            }

            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>Opens a file as <see cref="FileStream"/>'s constructor does; a file it creates is the owner's only.</summary>
    public static FileStream Open(string path, System.IO.FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096, FileOptions options = FileOptions.None)
    {
        var open = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize, Options = options };
        // Only a mode that may create a file takes a creation mode.
        if (!OperatingSystem.IsWindows() && mode is not (System.IO.FileMode.Open or System.IO.FileMode.Truncate))
        {
            open.UnixCreateMode = FileMode;
        }

        return new FileStream(path, open);
    }

    /// <summary>Writes <paramref name="bytes"/> as the whole of <paramref name="path"/>, created for the owner only.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = Open(path, System.IO.FileMode.Create, FileAccess.Write, FileShare.None);
        file.Write(bytes);
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) as the whole of <paramref name="path"/>, created for the owner only.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
