namespace OrleansKb.Cli.Bench;

/// <summary>One query's result count and median time (ms).</summary>
internal sealed record MatchQueryResult(string Name, long Results, double Ms);

/// <summary>The figures of <c>orleanskb bench match</c>.</summary>
internal sealed record MatchBenchResult(IReadOnlyList<MatchQueryResult> Queries, double TotalMs, double ColdTotalMs, double PointMedianUs, double PointP99Us, double StreamResultsPerS)
{
    /// <summary>
    /// The figures as one flat JSON object: <c>total_ms</c> (steady), <c>cold_total_ms</c> (the first round), <c>point_median_us</c>, <c>point_p99_us</c>,
    /// <c>stream_results_per_s</c>, and per query <c>NAME_ms</c> and <c>NAME_results</c>.
    /// </summary>
    public Dictionary<string, double> Flat()
    {
        var flat = new Dictionary<string, double>
        {
            ["total_ms"] = TotalMs,
            ["cold_total_ms"] = ColdTotalMs,
            ["point_median_us"] = PointMedianUs,
            ["point_p99_us"] = PointP99Us,
            ["stream_results_per_s"] = StreamResultsPerS,
        };
        foreach (var query in Queries)
        {
            flat[$"{query.Name}_ms"] = query.Ms;
            flat[$"{query.Name}_results"] = query.Results;
        }

        return flat;
    }
}
