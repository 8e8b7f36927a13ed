namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>The built silo, command-line and sample programs, beside these tests (the test project builds them).</summary>
internal static class Binaries
{
    private static readonly Lazy<string> RootFolder = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansKb.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("OrleansKb.sln not found above the test binaries.");
    });

    /// <summary>The repository's root folder.</summary>
    public static string Root => RootFolder.Value;

    /// <summary>Release or Debug: the configuration these tests were built in (…/bin/CONFIGURATION/net10.0/).</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string Silo => Existing(Path.Combine(RootFolder.Value, "silo", "bin", Configuration, "net10.0", "orleanskb-silo.dll"));

    public static string Cli => Existing(Path.Combine(RootFolder.Value, "client", "bin", Configuration, "net10.0", "orleanskb.dll"));

    /// <summary>The program of docs/library.md.</summary>
    public static string LibrarySample => Existing(Path.Combine(RootFolder.Value, "samples", "library", "bin", Configuration, "net10.0", "orleanskb-library-sample.dll"));

    private static string Existing(string path) => File.Exists(path) ? path : throw new FileNotFoundException($"not built: {path}", path);
}
