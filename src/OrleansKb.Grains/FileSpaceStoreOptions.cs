using OrleansKb.Persistence;

namespace OrleansKb.Grains;

/// <summary>The file store's settings (<see cref="SiloBuilderExtensions.UseFileSpaceStore"/>); the silo binds them from its settings (<c>DataDirectory</c>).</summary>
public sealed class FileSpaceStoreOptions
{
    /// <summary>The data directory, created if missing; one process at a time (<see cref="FileSpaceStore"/>).</summary>
    public string DataDirectory { get; set; } = FileSpaceStore.DefaultDirectory;
}
