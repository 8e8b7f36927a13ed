using OrleansKb.Atoms;
using OrleansKb.Codec;
using Environment = OrleansKb.Spaces.Environment;

namespace OrleansKb.Grains;

/// <summary>
/// A thin owner of one <see cref="Environment"/>. Each call is one turn of the grain, the space's
/// only critical section: validate the whole batch, then apply it. No blocking and no parallel loops
/// in the turn — the client has already done the encoding, in parallel, on its own cores.
/// The space lives in memory for as long as the silo runs: <see cref="KeepAliveAttribute"/> keeps
/// an idle grain from being deactivated and losing it.
/// </summary>
[KeepAlive]
internal sealed class EnvironmentGrain : Grain, IEnvironmentGrain
{
    private readonly Environment _environment = new();

    public Task<int> AddFacts(AtomBatch batch) => Checked(batch, bytes => _environment.AddEncoded(bytes.Span));

    public Task<int> AddRules(AtomBatch batch) => Checked(batch, bytes => _environment.AddEncodedRules(bytes.Span));

    public Task<int> Remove(AtomBatch batch) => Checked(batch, bytes => _environment.RemoveEncoded(bytes.Span));

    public Task<bool[]> Contains(AtomBatch batch) => Checked(batch, bytes => _environment.ContainsEncoded(bytes.Span));

    public Task<long> Count() => Task.FromResult(_environment.Count);

    public Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes)
    {
        var page = new EncodedAtomWriter(Math.Clamp(maxBytes, 1024, SpaceLimits.MaxBatchBytes));
        var count = _environment.ExportEncoded(after.Span, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), page);
        return Task.FromResult(new AtomBatch(page.WrittenMemory, count));
    }

    public Task<AtomBatch> MatchingRules(string head, int arity)
    {
        var rules = new EncodedAtomWriter(1024);
        var count = _environment.MatchingRulesEncoded(head, arity, rules);
        return Task.FromResult(new AtomBatch(rules.WrittenMemory, count));
    }

    public IAsyncEnumerable<AtomBatch> Match(AtomBatch query, int limit)
    {
        var (pattern, template) = Validated(query, bytes => AtomDecoder.Decode(bytes.Span)) switch
        {
            ExpressionAtom { Count: 2 } pair => (pair[0], pair[1]),
            _ => throw new InvalidAtomBatchException("A match query is one atom (PATTERN TEMPLATE)."),
        };
        var batches = new List<AtomBatch>();
        var writer = new EncodedAtomWriter();
        foreach (var result in _environment.Match(pattern, template, limit))
        {
            AtomEncoder.Append(result, writer);
            if (writer.Length >= SpaceLimits.ExportPageBytes / 4)
            {
                batches.Add(new AtomBatch(writer.ToArray(), writer.AtomCount));
                writer.Clear();
            }
        }

        if (writer.AtomCount > 0)
        {
            batches.Add(new AtomBatch(writer.ToArray(), writer.AtomCount));
        }

        return batches.ToAsyncEnumerable();
    }

    public Task<long> MatchCount(AtomBatch pattern)
    {
        var atom = Validated(pattern, bytes => AtomDecoder.Decode(bytes.Span));
        return Task.FromResult((long)_environment.Match(atom, Atom.Expression(), int.MaxValue).Count);
    }

    public Task Clear()
    {
        _environment.Clear();
        return Task.CompletedTask;
    }

    private static Task<T> Checked<T>(AtomBatch batch, Func<ReadOnlyMemory<byte>, T> operation) => Task.FromResult(Validated(batch, operation));

    /// <summary>Runs an operation on a batch, turning the core's refusals into an exception every client can deserialise.</summary>
    private static T Validated<T>(AtomBatch batch, Func<ReadOnlyMemory<byte>, T> operation)
    {
        try
        {
            return operation(batch.Bytes);
        }
        catch (Exception e) when (e is MalformedEncodingException or ArgumentException)
        {
            throw new InvalidAtomBatchException(e.Message);
        }
    }
}
