using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using System.Net;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Grains;
using OrleansKb.Persistence;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cluster.Tests;

/// <summary>
/// Two silos sharing one data directory, the first with a memory budget far below what the test
/// process's heap already holds: it has room for nothing, so a space is placed on the other.
/// </summary>
public sealed class TightSiloClusterFixture : IAsyncLifetime, IDisposable
{
    public const long TightBudget = 1 << 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("orleanskb-placement-").FullName;
    private int _configured;

    public TightSiloClusterFixture()
    {
        Store = new FileSpaceStore(_directory);
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseOrleansKb().UseSpaceStore(Store);
            if (Interlocked.Increment(ref _configured) == 1)
            {
                silo.Configure<MemoryOptions>(memory => memory.MaxMemory = TightBudget);
            }
        });
        builder.ConfigureClient(client => client.UseOrleansKb());
        Cluster = builder.Build();
    }

    public InProcessTestCluster Cluster { get; }

    public FileSpaceStore Store { get; }

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SharedTightSiloCluster : ICollectionFixture<TightSiloClusterFixture>
{
    public const string Name = "tight silo cluster";
}

/// <summary>Placing a space where it fits (docs/cluster.md, "Placing a space where it fits").</summary>
[Collection(SharedTightSiloCluster.Name)]
public sealed class PlacementTests(TightSiloClusterFixture fixture)
{
    [Fact]
    public async Task Every_space_goes_to_the_silo_with_room_and_is_opened_there_again()
    {
        // Each silo has read both silos' reports (and so holds the other in its membership).
        var memories = fixture.Cluster.Silos.Select(silo => silo.ServiceProvider.GetRequiredService<SiloMemory>()).ToList();
        Assert.Equal(2, memories.Count);
        Assert.True(
            await Poll.Until(() => Task.FromResult(memories.All(memory => memory.Cluster.Count == 2)), 30),
            "both silos report their memory to the store they share, and read each other's");
        var reports = memories[0].Cluster;
        var roomy = Orleans.Runtime.SiloAddress.FromParsableString(reports.Single(report => report.Budget > TightSiloClusterFixture.TightBudget).Silo).Endpoint.ToString();
        Assert.True(reports.Single(report => report.Budget == TightSiloClusterFixture.TightBudget).Headroom < 0);

        // Eight spaces: by the placement rule alone, about half would go to the tight silo, whose
        // writes are all refused.
        var facts = MettaReader.Parse("(parent Tom Bob) (parent Bob Ann) (female Ann)");
        for (var i = 0; i < 8; i++)
        {
            var space = KbSpace.Of(fixture.Cluster.Client, $"placed-{i}");
            Assert.Equal(3, await space.AddFactsAsync(facts));
            Assert.Equal(roomy, (await space.InfoAsync()).Silo);

            await fixture.Cluster.DeactivateAsync(fixture.Cluster.Client.GetGrain<IEnvironmentGrain>(space.Name).GetGrainId());
            Assert.Equal(3, await space.CountAsync());
            Assert.Equal(roomy, (await space.InfoAsync()).Silo);
        }
    }
}

/// <summary>The choice of a silo, and what a silo that cannot open a space says about the others.</summary>
public sealed class PlaceWhereItFitsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static SiloMemoryReport Report(string silo, long headroom) => new(silo, 1000, 800, 800 - headroom, Now);

    [Fact]
    public void The_first_silo_in_the_rules_order_that_has_room_is_chosen()
    {
        string[] silos = ["a", "b", "c"];
        Assert.Equal(0, SiloMemory.PlaceWhereItFits(silos, [Report("a", 100), Report("b", 500)], 50));
        Assert.Equal(2, SiloMemory.PlaceWhereItFits(silos, [Report("a", 10), Report("b", 20), Report("c", 60)], 50));

        // Nothing is known against a silo that has not reported: the preferred one is kept, or one
        // not heard from is tried before one known to have no room.
        Assert.Equal(0, SiloMemory.PlaceWhereItFits(silos, [Report("b", 500)], 50));
        Assert.Equal(1, SiloMemory.PlaceWhereItFits(silos, [Report("a", 10), Report("c", 20)], 50));

        // None has room: the preferred one, which refuses the space and says so.
        Assert.Equal(0, SiloMemory.PlaceWhereItFits(silos, [Report("a", 10), Report("b", 20), Report("c", 30)], 50));
    }

    [Fact]
    public void A_silo_that_cannot_open_a_space_says_whether_another_has_room()
    {
        var memory = new SiloMemory(Options.Create(new MemoryOptions { MaxMemory = 1 << 20 }));
        var bytes = 64L << 20;
        memory.Cluster = [memory.ReportAs("here", Now), Report("there", 1L << 20)];
        var none = Assert.Throws<SpaceMemoryException>(() => memory.AdmitRecovery("big", bytes, "here"));
        Assert.Contains("space 'big' was not opened", none.Message, StringComparison.Ordinal);
        Assert.Contains("the cluster's other silo has no room for it either", none.Message, StringComparison.Ordinal);

        memory.Cluster = [memory.ReportAs("here", Now), Report("there", 1L << 20), Report("yonder", 2L << 20)];
        Assert.Contains("none of the cluster's 2 other silos has room for it either", Assert.Throws<SpaceMemoryException>(() => memory.AdmitRecovery("big", bytes, "here")).Message, StringComparison.Ordinal);

        memory.Cluster = [memory.ReportAs("here", Now), Report("there", 1L << 20), Report("elsewhere", 1L << 30)];
        var roomy = Assert.Throws<SpaceMemoryException>(() => memory.AdmitRecovery("big", bytes, "here"));
        Assert.Contains("silo elsewhere reports room for it: called again, it is opened there", roomy.Message, StringComparison.Ordinal);
    }
}

/// <summary>The placement director, given a store and the silos' reports: what a space needs to open decides.</summary>
public sealed class PlacementDirectorTests : IDisposable
{
    private static readonly SiloAddress First = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress Second = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    private readonly string _directory = Directory.CreateTempSubdirectory("orleanskb-director-").FullName;
    private readonly FileSpaceStore _store;
    private readonly SiloMemory _memory = new(Options.Create(new MemoryOptions()));

    public PlacementDirectorTests() => _store = new FileSpaceStore(_directory);

    [Fact]
    public async Task A_space_passes_over_a_silo_without_room_for_half_its_recovery_and_an_empty_or_ephemeral_one_does_not()
    {
        var stored = await _store.OpenAsync("big");
        var recovery = new OrleansKb.Spaces.AtomSpace().StartRecovery();
        await stored.RecoverAsync(recovery);
        recovery.Finish();
        var batch = new EncodedAtomWriter();
        foreach (var fact in Royal92ShapedFacts.Generate(5000))
        {
            AtomEncoder.Append(fact, batch);
        }

        await stored.Append(new LogRecord(1, LogOperation.AddFacts, batch.WrittenMemory));
        await stored.DisposeAsync();
        var needed = SiloMemory.RecoveryNeeds(await _store.RecoveryBytesOfAsync("big"));
        Assert.True(needed > 50_000, $"{needed}");

        var director = new PartitionPlacementDirector(_store, _memory);
        Task<SiloAddress> Place(string type, string name) =>
            director.OnAddActivation(PartitionPlacement.Instance, new PlacementTarget(GrainId.Create(type, name), [], default, 0), new TwoSilos());

        // With room everywhere, the rule's silo; the other is the one passed over to.
        Report(First, long.MaxValue / 2);
        Report(Second, long.MaxValue / 2);
        var preferred = await Place("environment", "big");
        var other = preferred == First ? Second : First;

        Report(preferred, needed);
        Report(other, long.MaxValue / 2);
        Assert.Equal(preferred, await Place("environment", "big"));

        Report(preferred, needed - 1);
        Assert.Equal(other, await Place("environment", "big"));

        // An ephemeral space of the same name, or a durable space with nothing stored, needs nothing to open.
        Assert.Equal(preferred, await Place("ephemeral-environment", "big"));
        Report(First, needed - 1);
        Report(Second, needed - 1);
        Assert.Equal(First, await Place("environment", "nothing-stored-a"));
        Assert.Equal(First, await Place("environment", "nothing-stored-a"));

        // Below its mark everywhere: the rule's silo, which refuses it and says so.
        Report(First, -1);
        Report(Second, -1);
        Assert.Equal(preferred, await Place("environment", "big"));
    }

    private void Report(SiloAddress silo, long headroom) =>
        _memory.Cluster = [.. _memory.Cluster.Where(report => report.Silo != silo.ToParsableString()), new SiloMemoryReport(silo.ToParsableString(), long.MaxValue, long.MaxValue / 2, (long.MaxValue / 2) - headroom, DateTimeOffset.UtcNow)];

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class TwoSilos : IPlacementContext
    {
        public SiloAddress LocalSilo => First;

        public SiloStatus LocalSiloStatus => SiloStatus.Active;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => [First, Second];

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) => new Dictionary<ushort, SiloAddress[]> { [0] = [First, Second] };
    }
}
