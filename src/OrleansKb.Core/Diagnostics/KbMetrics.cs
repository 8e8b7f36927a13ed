using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansKb.Persistence;

namespace OrleansKb.Diagnostics;

/// <summary>
/// The silo's measurements, on the meter named <c>OrleansKb</c> (System.Diagnostics.Metrics): read by
/// any OpenTelemetry exporter, or <c>dotnet-counters monitor --counters OrleansKb</c>. The silo host
/// serves them, beside Orleans' own meter, at <c>/metrics</c> (docs/operations.md lists each one).
/// Durations are in seconds, as OpenTelemetry's conventions want.
/// </summary>
public static class KbMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "OrleansKb";

    private static readonly Meter Meter = new(MeterName);

    // Bucket boundaries for what these measure (an exporter's defaults are for milliseconds).
    private static readonly InstrumentAdvice<double> Seconds = new() { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60] };
    private static readonly InstrumentAdvice<long> Bytes = new() { HistogramBucketBoundaries = [1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20] };

    private static readonly Counter<long> AtomsAdded = Meter.CreateCounter<long>("orleanskb.atoms.added", "{atom}", "Atoms added to spaces (new ones only)");
    private static readonly Counter<long> AtomsRemoved = Meter.CreateCounter<long>("orleanskb.atoms.removed", "{atom}", "Atoms removed from spaces");
    private static readonly Counter<long> Batches = Meter.CreateCounter<long>("orleanskb.batches", "{batch}", "Batches of changes applied to spaces");
    private static readonly Histogram<long> BatchBytes = Meter.CreateHistogram("orleanskb.batch.size", "By", "Encoded bytes per batch of changes", tags: null, advice: Bytes);
    private static readonly Histogram<double> Calls = Meter.CreateHistogram("orleanskb.space.call.duration", "s", "Calls on a space: from the start of the grain's turn to its answer (a change waits for its log append)", tags: null, advice: Seconds);
    private static readonly Histogram<double> Turns = Meter.CreateHistogram("orleanskb.space.turn.duration", "s", "A change's turn in its space: validating its batch, appending it to the log and applying it to memory (the space's critical section; durability is waited for after)", tags: null, advice: Seconds);
    private static readonly Histogram<double> Appends = Meter.CreateHistogram("orleanskb.log.append.duration", "s", "A change's log record: from its append to its being durable", tags: null, advice: Seconds);
    private static readonly Histogram<double> Flushes = Meter.CreateHistogram("orleanskb.log.flush.duration", "s", "One group commit of a log: its write and flush, or its transaction", tags: null, advice: Seconds);
    private static readonly Histogram<double> Snapshots = Meter.CreateHistogram("orleanskb.snapshot.duration", "s", "Writing and publishing a space's snapshot", tags: null, advice: Seconds);
    private static readonly Histogram<double> Recoveries = Meter.CreateHistogram("orleanskb.recovery.duration", "s", "Recovering a space from its store when it is opened", tags: null, advice: Seconds);
    private static readonly Histogram<double> MatchPages = Meter.CreateHistogram("orleanskb.match.page.duration", "s", "Finding one page of a match's results in the space", tags: null, advice: Seconds);
    private static readonly Counter<long> MatchResults = Meter.CreateCounter<long>("orleanskb.match.results", "{solution}", "Solutions found by matches");
    private static readonly Counter<long> WritesRefused = Meter.CreateCounter<long>("orleanskb.memory.writes_refused", "{write}", "Writes a silo refused because they would take its heap past its memory's high-water mark");

    /// <summary>The silo's memory (docs/cluster.md, "Memory"): its budget, its high-water mark and its heap's size, read when measured.</summary>
    public static void ObserveMemory(Func<long> budget, Func<long> highWater, Func<long> used)
    {
        Meter.CreateObservableGauge("orleanskb.memory.budget", budget, "By", "The most memory the silo's spaces may take");
        Meter.CreateObservableGauge("orleanskb.memory.high_water", highWater, "By", "The heap size past which the silo refuses writes");
        Meter.CreateObservableGauge("orleanskb.memory.used", used, "By", "The silo's managed heap now");
    }

    /// <summary>A write refused for memory.</summary>
    public static void WriteRefused() => WritesRefused.Add(1);

    /// <summary>A batch of changes applied (tagged <c>add</c>, <c>remove</c> or <c>clear</c>).</summary>
    public static void BatchApplied(LogOperation operation, int bytes, int changed)
    {
        var tag = Tag(operation);
        Batches.Add(1, tag);
        BatchBytes.Record(bytes, tag);
        if (operation is LogOperation.AddFacts or LogOperation.AddRules)
        {
            AtomsAdded.Add(changed);
        }
        else
        {
            AtomsRemoved.Add(changed, tag);
        }
    }

    /// <summary>A call on a space ended (<paramref name="started"/>: <see cref="Stopwatch.GetTimestamp"/> at its start).</summary>
    public static void CallEnded(string method, long started) =>
        Calls.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("method", method));

    /// <summary>A change's turn ended (<paramref name="started"/>: <see cref="Stopwatch.GetTimestamp"/> at its start).</summary>
    public static void TurnEnded(LogOperation operation, long started) => Turns.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tag(operation));

    public static void AppendDurable(long started) => Appends.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

    public static void Flushed(long started) => Flushes.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

    public static void SnapshotWritten(TimeSpan elapsed) => Snapshots.Record(elapsed.TotalSeconds);

    public static void Recovered(TimeSpan elapsed) => Recoveries.Record(elapsed.TotalSeconds);

    private static KeyValuePair<string, object?> Tag(LogOperation operation) =>
        new("operation", operation switch { LogOperation.Remove => "remove", LogOperation.Clear => "clear", _ => "add" });

    public static void MatchPage(long started, long solutions)
    {
        MatchPages.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        MatchResults.Add(solutions);
    }
}
