using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// The coordinator of one match of a conjunction over a divided space (<see cref="IJoinGrain"/>):
/// the core's <see cref="PartitionedJoin"/>, run a page at a time as its client asks, on the silo the
/// client talks to; each partition runs the probes it is sent as one paged match of its own. The
/// silo's match budget bounds it (every level's solutions, and its time since it was opened).
/// </summary>
[PreferLocalPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class JoinGrain(IOptions<MatchOptions> matchOptions) : Grain, IJoinGrain
{
    private readonly MatchOptions _options = matchOptions.Value;
    private IAsyncEnumerator<JoinPage>? _pages;
    private MatchFailedException? _failure;
    private long _opened;
    private int _pageBytes;
    private MatchBudget _budget = null!;

    public Task<MatchPage> Open(GrainId space, MatchQuery query, MatchRequest request) => OpenAsync(space, query, request, rows: null);

    public Task<MatchPage> OpenUnder(GrainId space, MatchQuery query, AtomBatch rows, MatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Bytes.Length > PartitionedJoin.ProbeMessageBytes)
        {
            throw new InvalidAtomBatchException($"a join under rows takes at most {PartitionedJoin.ProbeMessageBytes:N0} bytes of them, not {rows.Bytes.Length:N0}");
        }

        Refused(() => AtomDecoder.CountAtoms(rows.Bytes.Span));
        return OpenAsync(space, query, request, rows.Bytes);
    }

    private async Task<MatchPage> OpenAsync(GrainId space, MatchQuery query, MatchRequest request, ReadOnlyMemory<byte>? rows)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        if (_pages is not null || _opened != 0)
        {
            throw new MatchFailedException("this join was opened already: each match has a coordinator of its own");
        }

        var (pattern, template) = Decoded(query);
        var first = GrainFactory.GetGrain<IEnvironmentGrain>(space);
        var wire = await first.Partitions();
        var map = new PartitionMap(wire.Epoch, wire.Ids, wire.Splits);
        var name = space.Key.ToString()!;
        var ids = map.Ids.Select(id => id == 0 ? space : GrainId.Create(space.Type, PartitionNames.Of(name, id))).ToArray();
        var grains = ids.Select(id => GrainFactory.GetGrain<IEnvironmentGrain>(id)).ToArray();

        // The join is ordered by its patterns' statistics in every partition; rows go outside their
        // prefix's partitions only to those that hold stored variables.
        var statistics = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IPartitionGrain>(id).JoinStatistics(query.Pattern)));
        var holdsVariables = statistics.Select(s => s.HoldsVariables).ToArray();
        var measured = statistics.Select(s => s.Counts is { } counts ? counts.Select((count, i) => new PatternCounts(count, s.Distinct![i])).ToArray() : null).ToArray();
        _pageBytes = Math.Clamp(request.PageBytes, 1024, SpaceLimits.MaxBatchBytes);
        _budget = _options.Budget(request.ForTransform);
        var probeRequest = new MatchRequest(0, Math.Min(_pageBytes, PartitionedJoin.ProbePageBytes), request.ForTransform);
        var join = Refused(() => new PartitionedJoin(
            map, pattern, template, request.Limit, _budget,
            (i, probes, limit, cancellationToken) => ProbeAsync(grains[i], map.Epoch, probes, probeRequest with { Limit = limit }, cancellationToken),
            holdsVariables,
            measured: measured,
            under: rows));
        _pages = join.RunAsync().GetAsyncEnumerator();
        _opened = Stopwatch.GetTimestamp();
        return await Next();
    }

    public async Task<MatchPage> Next()
    {
        if (_failure is { } failure)
        {
            await Finish();
            throw failure;
        }

        if (_pages is not { } pages)
        {
            throw new MatchFailedException("this match is not open: it has finished, was closed, or waited too long for its next page request");
        }

        var results = new ArrayBufferWriter<byte>(Math.Min(_pageBytes + 4096, 1 << 16));
        var (count, solutions) = (0, 0L);
        var slice = Stopwatch.GetTimestamp();
        try
        {
            while (results.WrittenCount < _pageBytes && Stopwatch.GetElapsedTime(slice) < _options.Slice)
            {
                if (Stopwatch.GetElapsedTime(_opened) > _budget.MaxWork)
                {
                    throw new MatchBudgetExceededException($"the match ran more than {_budget.MaxWork.TotalSeconds:N0} s, the most one match may take");
                }

                if (!await pages.MoveNextAsync())
                {
                    await Finish();
                    return new MatchPage(MatchId.None, new AtomBatch(results.WrittenMemory, count), solutions);
                }

                // A partition's page holds well-formed atoms, written by its match: passed on as they are,
                // counted as it counted them.
                var page = pages.Current;
                results.Write(page.Results.Span);
                count += page.Count;
                solutions += page.Solutions;
            }
        }
        catch (MatchBudgetExceededException e)
        {
            // The caller gets every result found up to the budget, then the error.
            _failure = new MatchFailedException($"{e.Message}; {_budget.Advice}");
        }
        catch
        {
            await Finish();
            throw;
        }

        return new MatchPage(new MatchId(1), new AtomBatch(results.WrittenMemory, count), solutions);
    }

    public Task Close() => Finish();

    /// <summary>The pages of one partition's match of a level under rows (<paramref name="probes"/>), closed in the partition if left early.</summary>
    private static async IAsyncEnumerable<JoinPage> ProbeAsync(
        IEnvironmentGrain partition, long epoch, JoinProbes probes, MatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RequestContext.Set(SpacePartitions.EpochKey, epoch);
        Task<MatchPage> opened;
        try
        {
            opened = partition.MatchRowsOpen(new MatchQuery(probes.Pattern, probes.Template), new AtomBatch(probes.Rows, probes.Count), request);
        }
        finally
        {
            RequestContext.Remove(SpacePartitions.EpochKey);
        }

        // The next page is asked for before this one is joined on: the partition finds it meanwhile.
        var page = await opened;
        Task<MatchPage>? ahead = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ahead = page.Finished ? null : partition.MatchNext(page.Match);
                yield return new JoinPage(page.Results.Bytes, page.Results.Count, page.Solutions);
                if (ahead is null)
                {
                    yield break;
                }

                page = await ahead;
                ahead = null;
            }
        }
        finally
        {
            if (ahead is not null)
            {
                page = await ahead;
            }

            if (!page.Finished)
            {
                await partition.MatchClose(page.Match);
            }
        }
    }

    private async Task Finish()
    {
        if (_pages is { } pages)
        {
            _pages = null;
            await pages.DisposeAsync();
        }

        DeactivateOnIdle();
    }

    private static (Atom Pattern, Atom? Template) Decoded(MatchQuery query) => Refused(() => AtomDecoder.DecodeQuery(query.Pattern.Span, query.Template.Span));

    /// <summary>A query the core refuses, as the wire carries it.</summary>
    private static T Refused<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is MalformedEncodingException or ArgumentException)
        {
            throw new InvalidAtomBatchException(e.Message);
        }
    }
}
