using BenchmarkDotNet.Attributes;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The file store's costs (docs/durability.md), for 1,000,000 royal92-shaped facts in 1 MiB batches:
/// appending the batches to the log until all are durable (group commit: appended without waiting,
/// as a reentrant grain does); writing a snapshot of the space; recovering the space from that
/// snapshot; recovering it from the log alone. Files are in the page cache, as after a restart on a
/// machine with memory to spare. Each iteration starts from fresh folders.
/// </summary>
[Config(typeof(PerAtomConfig))]
public class DurabilityBenchmarks
{
    private readonly List<string> _folders = [];
    private byte[][] _batches = [];
    private OrleansKb.Spaces.AtomSpace _loaded = new();
    private string _logOnly = "";
    private string _withSnapshot = "";
    private string _fresh = "";

    [Params(1_000_000)]
    public int Atoms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batches = FactBatches.Generate(Atoms);
        _loaded = new OrleansKb.Spaces.AtomSpace();
        foreach (var batch in _batches)
        {
            _loaded.AddEncoded(batch);
        }

        _logOnly = NewFolder();
        AppendAll(_logOnly).GetAwaiter().GetResult();
        _withSnapshot = NewFolder();
        WriteSnapshot(_withSnapshot).GetAwaiter().GetResult();
    }

    [IterationSetup(Targets = [nameof(AppendToTheLog), nameof(WriteASnapshot)])]
    public void NewFolderForTheIteration() => _fresh = NewFolder();

    [GlobalCleanup]
    public void Cleanup() => _folders.ForEach(folder => Directory.Delete(folder, recursive: true));

    [Benchmark]
    public Task AppendToTheLog() => AppendAll(_fresh);

    [Benchmark]
    public Task WriteASnapshot() => WriteSnapshot(_fresh);

    [Benchmark]
    public Task<long> RecoverFromTheSnapshot() => Recover(_withSnapshot);

    [Benchmark]
    public Task<long> RecoverFromTheLog() => Recover(_logOnly);

    private string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("orleanskb-bench-").FullName;
        _folders.Add(folder);
        return folder;
    }

    private async Task AppendAll(string folder)
    {
        using var store = new FileSpaceStore(folder);
        var stored = await store.OpenAsync("space");
        await stored.RecoverAsync(new OrleansKb.Spaces.AtomSpace().StartRecovery());
        var durable = new List<Task>();
        for (var i = 0; i < _batches.Length; i++)
        {
            durable.Add(stored.Append(new LogRecord(i + 1, LogOperation.AddFacts, _batches[i])));
        }

        await Task.WhenAll(durable);
        await stored.DisposeAsync();
    }

    private async Task WriteSnapshot(string folder)
    {
        using var store = new FileSpaceStore(folder);
        var stored = await store.OpenAsync("space");
        await stored.RecoverAsync(new OrleansKb.Spaces.AtomSpace().StartRecovery());
        await SpaceCheckpoint.Begin(_loaded, stored, 0).WriteAsync();
        await stored.DisposeAsync();
    }

    private static async Task<long> Recover(string folder)
    {
        using var store = new FileSpaceStore(folder);
        var stored = await store.OpenAsync("space");
        var environment = new OrleansKb.Spaces.AtomSpace();
        var recovery = environment.StartRecovery();
        await stored.RecoverAsync(recovery);
        recovery.Finish();
        await stored.DisposeAsync();
        return environment.Count;
    }
}
