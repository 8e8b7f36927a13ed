using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace OrleansKb.Benchmarks;

/// <summary>"ns/atom": the median time per invocation divided by the benchmark's <c>Atoms</c> parameter.</summary>
internal sealed class PerAtomColumn : IColumn
{
    public string Id => nameof(PerAtomColumn);

    public string ColumnName => "ns/atom";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Median time per invocation / number of atoms added";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var medianNs = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (medianNs is not > 0 || benchmarkCase.Parameters["Atoms"] is not int atoms)
        {
            return "NA";
        }

        return (medianNs.Value * benchmarkCase.Descriptor.OperationsPerInvoke / atoms).ToString("N1", style?.CultureInfo ?? CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
