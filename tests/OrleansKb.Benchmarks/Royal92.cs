namespace OrleansKb.Benchmarks;

/// <summary>
/// The benchmark input: <c>samples/aunt-kg/royal92.metta</c> in the repository
/// (found by walking up from the binaries to the folder holding <c>OrleansKb.sln</c>).
/// </summary>
internal static class Royal92
{
    /// <summary>Top-level atoms in royal92.metta; a compile-time constant so it can be <c>OperationsPerInvoke</c>.</summary>
    public const int AtomCount = 53_442;

    private const string RelativePath = "aunt-kg/royal92.metta";

    private static readonly Lazy<string> LazyPath = new(Find);

    /// <summary>The full path of royal92.metta; throws a <see cref="FileNotFoundException"/> naming the expected place if it is missing.</summary>
    public static string Path => LazyPath.Value;

    /// <summary>The file's size in bytes (2,703,888 for the bundled copy).</summary>
    public static long Length => new FileInfo(Path).Length;

    /// <summary>Checks that a benchmark saw every atom of the file, so a silent short read cannot pass as a fast one.</summary>
    public static void CheckCount(long count, string what)
    {
        if (count != AtomCount)
        {
            throw new InvalidOperationException($"{what}: expected {AtomCount} atoms in {Path}, got {count}.");
        }
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "OrleansKb.sln")))
            {
                var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "samples", RelativePath));
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException(
                        $"The benchmark data is missing: expected {path} (samples/{RelativePath} in the repository {dir.FullName}).",
                        path);
            }
        }

        throw new FileNotFoundException(
            $"OrleansKb.sln was not found in any folder above {AppContext.BaseDirectory}; cannot locate samples/{RelativePath}.");
    }
}
