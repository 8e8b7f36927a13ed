using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Client;

/// <summary>
/// How a space's handle reaches its partitions (docs/cluster.md, "Partitioned spaces"): the space's
/// map, read from partition 0 at first use and kept; each call sent with the epoch of the map it was
/// routed by, so a partition that holds another map refuses it before doing anything; and, when one
/// does, the map read again and the call (or the refused part of a batch) sent again where it now
/// belongs. A space never divided is one partition, the grain named as the space.
/// </summary>
internal sealed class SpaceRouting(SpaceCalls calls, string space, Func<string, IEnvironmentGrain> grainOf)
{
    /// <summary>How many times in a row a call is routed again after partitions refused it: maps change rarely.</summary>
    public const int MaxReroutes = 8;

    private volatile Routes? _routes;

    /// <summary>A map and the grain of each of its partitions, in key order.</summary>
    internal sealed record Routes(PartitionMap Map, IEnvironmentGrain[] Grains);

    /// <summary>The map this handle routes by (read from the space at first use).</summary>
    public async ValueTask<Routes> CurrentAsync(CancellationToken cancellationToken) =>
        _routes ?? await RefreshAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Reads the space's map again.</summary>
    public async Task<Routes> RefreshAsync(CancellationToken cancellationToken)
    {
        var wire = await calls.Call(calls.Grain.Partitions(), cancellationToken).ConfigureAwait(false);
        var map = new PartitionMap(wire.Epoch, wire.Ids, wire.Splits);
        var routes = new Routes(map, [.. map.Ids.Select(id => id == 0 ? calls.Grain : grainOf(PartitionNames.Of(space, id)))]);
        _routes = routes;
        return routes;
    }

    /// <summary>
    /// Divides the space, if it is empty and was never divided, into at most <paramref name="partitions"/>
    /// partitions cut at the quantiles of <paramref name="sample"/> (encoded keys of the atoms to come);
    /// a space already divided keeps its map. Returns the map the space then has.
    /// </summary>
    public async Task<Routes> DivideAsync(IReadOnlyCollection<byte[]> sample, int partitions, CancellationToken cancellationToken)
    {
        var splits = PartitionMap.SplitsOf(sample, partitions);
        if (splits.Length > 0)
        {
            await calls.Call(calls.Grain.Divide(splits), cancellationToken).ConfigureAwait(false);
        }

        return await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Divides the space anew into <paramref name="partitions"/> partitions, online (<see cref="IEnvironmentGrain.Repartition"/>), and routes by its new map.</summary>
    public async Task<RepartitionResult> RepartitionAsync(int partitions, CancellationToken cancellationToken)
    {
        var result = await calls.Call(calls.Grain.Repartition(partitions), cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Calls partition <paramref name="index"/> (in key order) of <paramref name="routes"/>, with the
    /// epoch of its map (<see cref="SpacePartitions.EpochKey"/>), as <see cref="SpaceCalls.Call{T}"/> does.
    /// </summary>
    public Task<T> Call<T>(Routes routes, int index, Func<IEnvironmentGrain, Task<T>> call, CancellationToken cancellationToken) =>
        calls.Call(Sent(routes, routes.Grains[index], call), cancellationToken);

    /// <summary>
    /// The partitions (indices in key order of <paramref name="routes"/>) that can hold what the encoded
    /// <paramref name="pattern"/> matches: those of its constant prefix (<see cref="PartitionMap.PartitionsFor(ReadOnlySpan{byte})"/>)
    /// and, for a pattern looked up by a later argument that leaves several, those of them partition 0
    /// knows may hold that argument (<see cref="IEnvironmentGrain.PartitionsHolding"/>) — possibly none.
    /// </summary>
    public async Task<IReadOnlyList<int>> PartitionsForAsync(Routes routes, ReadOnlyMemory<byte> pattern, CancellationToken cancellationToken)
    {
        var partitions = routes.Map.PartitionsFor(pattern.Span);
        if (partitions.Count < 2 || !ArgumentSummary.ItemOf(pattern.Span, out _))
        {
            return partitions;
        }

        return await calls.Call(Sent(routes, calls.Grain, grain => grain.PartitionsHolding(pattern)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="read"/> over the current map; when a partition refuses it for its map, reads
    /// the map again and runs it again. For calls that change nothing, or that may be repeated whole.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<Routes, Task<T>> read, CancellationToken cancellationToken)
    {
        var routes = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read(routes).ConfigureAwait(false);
            }
            catch (PartitionMapChangedException) when (attempt < MaxReroutes)
            {
                routes = await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> on every partition at once (by the map read anew if one refuses it); the answers in key order.</summary>
    public Task<T[]> OnEveryPartitionAsync<T>(Func<IEnvironmentGrain, Task<T>> call, CancellationToken cancellationToken) =>
        ReadAsync(routes => OnEveryPartitionAsync(routes, call, cancellationToken), cancellationToken);

    /// <summary>The space's atoms: the sum of its partitions'.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        (await OnEveryPartitionAsync(grain => grain.Count(), cancellationToken).ConfigureAwait(false)).Sum();

    /// <summary>As <see cref="OnEveryPartitionAsync{T}(Func{IEnvironmentGrain, Task{T}}, CancellationToken)"/>, for a call that answers nothing.</summary>
    public Task OnEveryPartitionAsync(Func<IEnvironmentGrain, Task> call, CancellationToken cancellationToken) =>
        OnEveryPartitionAsync(async grain =>
        {
            await call(grain).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Runs <paramref name="call"/> on every partition of <paramref name="routes"/> at once; the answers in key order.</summary>
    public Task<T[]> OnEveryPartitionAsync<T>(Routes routes, Func<IEnvironmentGrain, Task<T>> call, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, routes.Map.Count).Select(i => Call(routes, i, call, cancellationToken)));

    /// <summary>
    /// Sends a batch of encoded atoms to the partitions that hold them, one message per partition it
    /// touches, all at once; returns the sum of their answers once every one has answered. A part a
    /// partition refuses for its map (nothing of it applied) is routed again by the map read anew.
    /// The parts' calls are not abandoned when the caller cancels (only reading the map again is):
    /// the caller (<see cref="BatchSender"/>) waits for what it sent, so that it can say what was applied.
    /// </summary>
    public async Task<int> SendAsync(AtomBatch batch, Func<IEnvironmentGrain, AtomBatch, Task<int>> send, CancellationToken cancellationToken)
    {
        var routes = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (routes.Map.Count == 1)
        {
            try
            {
                // Undivided: the batch travels as it is.
                return await Sent(routes, routes.Grains[0], grain => send(grain, batch)).ConfigureAwait(false);
            }
            catch (PartitionMapChangedException)
            {
                routes = await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var pending = batch.Bytes;
        var total = 0;
        for (var attempt = 0; ; attempt++)
        {
            // One pooled writer per partition, back to the pool once every part is answered.
            var writers = new EncodedAtomWriter[routes.Map.Count];
            for (var i = 0; i < writers.Length; i++)
            {
                writers[i] = WriterPool.Rent();
            }

            List<(int Index, Task<int> Answer)> sent = [];
            try
            {
                routes.Map.Route(pending.Span, writers);
                sent = [.. Enumerable.Range(0, writers.Length).Where(i => writers[i].AtomCount > 0)
                    .Select(i => (i, Sent(routes, routes.Grains[i], grain => send(grain, new AtomBatch(writers[i].WrittenMemory, writers[i].AtomCount)))))];
                var refused = new EncodedAtomWriter();
                foreach (var (index, answer) in sent)
                {
                    try
                    {
                        total += await answer.ConfigureAwait(false);
                    }
                    catch (PartitionMapChangedException) when (attempt < MaxReroutes)
                    {
                        foreach (var atom in new EncodedItems(writers[index].WrittenSpan))
                        {
                            refused.AppendAtom(atom);
                        }
                    }
                }

                if (refused.AtomCount == 0)
                {
                    return total;
                }

                pending = refused.WrittenMemory;
            }
            finally
            {
                // A part's buffer is free once its call has ended (a grain in this process reads it in
                // place); after a failure, parts still on their way are left to the garbage collector.
                if (sent.TrueForAll(part => part.Answer.IsCompleted))
                {
                    foreach (var writer in writers)
                    {
                        WriterPool.Return(writer);
                    }
                }
            }

            routes = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Makes a call to <paramref name="grain"/> (a partition, or partition 0) with the epoch of the map it was routed by: the grain's own task.</summary>
    private static Task<T> Sent<T>(Routes routes, IEnvironmentGrain grain, Func<IEnvironmentGrain, Task<T>> call)
    {
        // A call without an epoch is routed by an undivided space's map (epoch 0): most calls carry
        // nothing more than they did. The request context is taken when the call's message is made,
        // before the grain method returns.
        if (routes.Map.Epoch == 0)
        {
            return call(grain);
        }

        RequestContext.Set(SpacePartitions.EpochKey, routes.Map.Epoch);
        try
        {
            return call(grain);
        }
        finally
        {
            RequestContext.Remove(SpacePartitions.EpochKey);
        }
    }
}
