using Orleans.TestingHost;
using OrleansKb.Client;
using OrleansKb.Grains;

namespace OrleansKb.Cluster.Tests;

/// <summary>
/// One two-silo cluster for the whole collection: grain calls from the client cross the in-memory
/// transport and are serialised, and activations land on both silos. Matches run with a small
/// budget and a short idle timeout, so the tests of both finish in seconds.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const long MaxSolutions = 3_000_000;
    // Below the match budget, so a test can tell which of the two bounds a transform's reads.
    public const long TransformMaxSolutions = 2_500_000;
    public const int MaxOpenPerSpace = 8;
    // Long enough that a test of closing cannot pass because the idle timeout closed the match instead.
    public const double IdleSeconds = 6;

    public ClusterFixture()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => silo.UseOrleansKb().Configure<MatchOptions>(match =>
        {
            match.MaxSolutions = MaxSolutions;
            match.TransformMaxSolutions = TransformMaxSolutions;
            match.MaxOpenPerSpace = MaxOpenPerSpace;
            match.IdleSeconds = IdleSeconds;
        }));
        builder.ConfigureClient(client => client.UseOrleansKb());
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>A space with a name no other test uses.</summary>
    public KbSpace NewSpace() => KbSpace.Of(Cluster.Client, $"test-{Guid.NewGuid():N}");

    public IEnvironmentGrain Grain(KbSpace space) => Cluster.Client.GetGrain<IEnvironmentGrain>(space.Name);

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedCluster : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
