using OrleansKb.Codec;

namespace OrleansKb.Client;

/// <summary>
/// What <see cref="KbSpace.LoadAsync"/> reads: a file, or a stream that may not be seekable (standard
/// input, a pipe, a request body: copied to a temporary file first, so that it can be checked whole
/// before anything is sent), in one of the <see cref="LoadFormat"/>s.
/// </summary>
public sealed class LoadSource
{
    private LoadSource(string name, LoadFormat format, string? path, Stream? input)
    {
        Name = name;
        Format = format;
        Path = path;
        Input = input;
    }

    /// <summary>The name errors and progress give the source.</summary>
    public string Name { get; }

    /// <summary>How the source is read.</summary>
    public LoadFormat Format { get; }

    /// <summary>The file, for a file.</summary>
    internal string? Path { get; }

    /// <summary>The stream, for a stream (not owned: the caller disposes it).</summary>
    internal Stream? Input { get; }

    /// <summary>The file at <paramref name="path"/>; without a <paramref name="format"/>, a name ending in <c>.paths</c> is <see cref="LoadFormat.Paths"/>, any other <see cref="LoadFormat.Metta"/>.</summary>
    public static LoadSource File(string path, LoadFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new LoadSource(path, format ?? FormatOf(path), path, null);
    }

    /// <summary>The stream <paramref name="input"/>, named <paramref name="name"/> in errors; the format as for <see cref="File"/>, by <paramref name="name"/>.</summary>
    public static LoadSource Stream(Stream input, string name, LoadFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new LoadSource(name, format ?? FormatOf(name), null, input);
    }

    private static LoadFormat FormatOf(string name) =>
        name.EndsWith(PathsFormat.Extension, StringComparison.OrdinalIgnoreCase) ? LoadFormat.Paths : LoadFormat.Metta;
}
