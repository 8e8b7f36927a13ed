using Orleans.TestingHost;
using OrleansKb.Client;
using OrleansKb.Grains;
using OrleansKb.Persistence;

namespace OrleansKb.Cluster.Tests;

/// <summary>
/// A two-silo cluster whose spaces are kept in one data directory shared by both silos, with a small
/// snapshot bound so that loads take snapshots in the background: a space deactivated on one silo
/// recovers from the store wherever it is activated next.
/// </summary>
public sealed class DurableClusterFixture : IAsyncLifetime, IDisposable
{
    public const long SnapshotLogBytes = 256 << 10;

    private readonly string _directory = Directory.CreateTempSubdirectory("orleanskb-durable-").FullName;
    private readonly FileSpaceStore _store;

    public DurableClusterFixture()
    {
        _store = new FileSpaceStore(_directory);
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.UseOrleansKb().UseSpaceStore(_store).Configure<DurabilityOptions>(options => options.SnapshotLogBytes = SnapshotLogBytes));
        builder.ConfigureClient(client => client.UseOrleansKb());
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    public string DataDirectory => _directory;

    public KbSpace NewSpace(bool ephemeral = false) => KbSpace.Of(Cluster.Client, $"test-{Guid.NewGuid():N}", ephemeral);

    /// <summary>Deactivates the space's grain (its next call activates it again, maybe on the other silo, and recovers it from the store).</summary>
    public Task Deactivate(KbSpace space) => Cluster.DeactivateAsync(Cluster.Client.GetGrain<IEnvironmentGrain>(space.Name).GetGrainId());

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>After the cluster (xUnit disposes a fixture's async side first).</summary>
    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SharedDurableCluster : ICollectionFixture<DurableClusterFixture>
{
    public const string Name = "durable cluster";
}
