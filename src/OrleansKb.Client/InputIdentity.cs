namespace OrleansKb.Client;

/// <summary>A file's size and modification time when a load began: how the load notices that the file changed under it.</summary>
internal readonly record struct InputIdentity(long Length, DateTime LastWriteUtc)
{
    public static InputIdentity Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new InputIdentity(info.Length, info.LastWriteTimeUtc) : throw new FileNotFoundException($"{path}: no such file", path);
    }

    /// <summary>An <see cref="InputChangedException"/> if the file is no longer as it was; else null.</summary>
    public InputChangedException? Changed(string path, string sourceName)
    {
        var now = new FileInfo(path);
        if (!now.Exists)
        {
            return new InputChangedException($"{sourceName} was deleted while it was being loaded");
        }

        return now.Length != Length || now.LastWriteTimeUtc != LastWriteUtc
            ? new InputChangedException($"{sourceName} changed while it was being loaded (it had {Length:N0} bytes, now {now.Length:N0})")
            : null;
    }

    public void CheckUnchanged(string path, string sourceName)
    {
        if (Changed(path, sourceName) is { } changed)
        {
            throw changed;
        }
    }
}
