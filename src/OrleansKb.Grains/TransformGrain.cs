using System.Diagnostics;
using Orleans.Placement;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// The coordinator of one transform (<see cref="ITransformGrain"/>, docs/transform.md), on the silo the
/// client talks to: it reads the pattern's solutions as any match in the cluster is read (one space,
/// or the join over its partitions), instantiated by the templates, and writes them to the target as
/// any write is sent (routed to its partitions, each part acknowledged once durable). A slice at a time
/// as its client asks; the results never leave the cluster.
/// </summary>
[PreferLocalPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class TransformGrain : Grain, ITransformGrain
{
    // Solutions whose atoms are written in one call to the target (each call waits until they are durable).
    private const int SolutionsPerWrite = 8192;

    // About how long a slice runs before it reports.
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    private TransformTemplates _templates = null!;
    private KbSpace _target = null!;
    private IAsyncEnumerator<Atom>? _results;

    // When the templates could change what the pattern matches in the same space, the round's changes
    // wait here until its match has ended: it sees the space as it was when the transform started.
    private bool _held;
    private readonly List<Atom> _heldAdds = [];
    private readonly List<Atom> _heldRemoves = [];
    private int _written;

    private bool _matched;
    private long _solutions;
    private long _added;
    private long _removed;
    private bool _finished;

    public async Task<TransformProgress> Open(string space, string into, bool ephemeral, MatchQuery query, long limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (_results is not null || _finished)
        {
            throw new InvalidAtomBatchException("this transform was opened already: each transform has a coordinator of its own");
        }

        Atom pattern;
        try
        {
            (pattern, var template) = AtomDecoder.DecodeQuery(query.Pattern.Span, query.Template.Span);
            _templates = TransformTemplates.Parse(pattern, template ?? throw new ArgumentException("a transform needs a template"));
        }
        catch (Exception e) when (e is MalformedEncodingException or ArgumentException)
        {
            throw new InvalidAtomBatchException(e.Message);
        }

        var source = KbSpace.Of(GrainFactory, space, ephemeral);
        _target = into == space ? source : KbSpace.Of(GrainFactory, into, ephemeral);
        _held = into == space && _templates.MayMatchPattern;
        _results = source.MatchAsync(pattern, _templates.Combined, limit).GetAsyncEnumerator();
        return await Next();
    }

    public async Task<TransformProgress> Next()
    {
        var started = Stopwatch.GetTimestamp();
        var (adds, removes) = (new List<Atom>(), new List<Atom>());
        while (!_finished && Stopwatch.GetElapsedTime(started) < Slice)
        {
            if (_results is { } results)
            {
                var found = 0;
                while (found < SolutionsPerWrite && await results.MoveNextAsync())
                {
                    _templates.Split(results.Current, _held ? _heldAdds : adds, _held ? _heldRemoves : removes);
                    found++;
                }

                _solutions += found;
                if (found < SolutionsPerWrite)
                {
                    (_results, _matched) = (null, true);
                    await results.DisposeAsync();
                }

                if (!_held)
                {
                    await WriteAsync(adds, removes);
                    (adds, removes) = (new List<Atom>(), new List<Atom>());
                }
            }
            else if (_held && _written < Math.Max(_heldAdds.Count, _heldRemoves.Count))
            {
                // The held changes, a write's worth at a time: the removes first, then the adds.
                var (from, count) = (_written, SolutionsPerWrite * Math.Max(1, _templates.Adds.Count + _templates.Removes.Count));
                _written += count;
                await WriteAsync(Chunk(_heldAdds, from, count), Chunk(_heldRemoves, from, count));
            }
            else
            {
                _finished = true;
                DeactivateOnIdle();
            }
        }

        return Progress();
    }

    public async Task<TransformProgress> Close()
    {
        if (_results is { } results)
        {
            _results = null;
            await results.DisposeAsync();
        }

        _finished = true;
        DeactivateOnIdle();
        return Progress();
    }

    private TransformProgress Progress() => new(_solutions, _added, _removed, Rounds: _matched ? 1 : 0, _finished);

    private async Task WriteAsync(List<Atom> adds, List<Atom> removes)
    {
        if (removes.Count > 0)
        {
            _removed += await _target.RemoveAsync(removes);
        }

        if (adds.Count > 0)
        {
            _added += await _target.AddFactsAsync(adds);
        }
    }

    private static List<Atom> Chunk(List<Atom> atoms, int from, int count) =>
        from >= atoms.Count ? [] : atoms.GetRange(from, Math.Min(count, atoms.Count - from));
}
