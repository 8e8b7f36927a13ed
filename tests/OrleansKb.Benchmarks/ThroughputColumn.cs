using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OrleansKb.Benchmarks;

/// <summary>
/// "MB/s": input bytes per invocation ÷ median time per invocation, in decimal megabytes
/// (10^6 bytes) per second. For royal92.metta that is 2.703888 MB ÷ median.
/// </summary>
internal sealed class ThroughputColumn(Func<long> bytesPerInvoke) : IColumn
{
    private readonly Lazy<long> _bytes = new(bytesPerInvoke);

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Throughput of the input text: file size (decimal MB) / median time per invocation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        // Statistics are per operation; one invocation is OperationsPerInvoke operations.
        var medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (medianNs is not > 0)
        {
            return "NA";
        }

        var nsPerInvoke = medianNs.Value * benchmarkCase.Descriptor.OperationsPerInvoke;
        var megabytesPerSecond = _bytes.Value / nsPerInvoke * 1e3; // bytes/ns × 10^9 / 10^6
        return megabytesPerSecond.ToString("N1", style?.CultureInfo ?? CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
