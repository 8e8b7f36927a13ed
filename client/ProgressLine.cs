using System.Globalization;
using OrleansKb.Client;

namespace OrleansKb.Cli;

/// <summary>A one-line progress display on standard error, shown only on a terminal: a load's (of a file over 1 MB), or a transform's.</summary>
internal sealed class ProgressLine : IProgress<LoadProgress>, IProgress<TransformProgress>, IDisposable
{
    private readonly TextWriter _error;
    private readonly string _label;
    private bool _shown;
    private int _width;

    private ProgressLine(TextWriter error, string label)
    {
        _error = error;
        _label = label;
    }

    public static ProgressLine? For(TextWriter error, string path) =>
        !Console.IsErrorRedirected && new FileInfo(path).Length > 1_000_000 ? new ProgressLine(error, Path.GetFileName(path)) : null;

    /// <summary>A transform's progress line, on a terminal.</summary>
    public static ProgressLine? ForTransform(TextWriter error) => !Console.IsErrorRedirected ? new ProgressLine(error, "transform") : null;

    public void Report(LoadProgress value)
    {
        var fraction = value.TotalBytes > 0 ? (double)value.BytesRead / value.TotalBytes : 0;
        var filled = (int)(fraction * 30);
        Show(string.Create(CultureInfo.InvariantCulture, $"{_label} [{new string('#', filled)}{new string('.', 30 - filled)}] {fraction:P0} {value.AtomsAcknowledged:N0} atoms"));
    }

    public void Report(TransformProgress value) =>
        Show(string.Create(CultureInfo.InvariantCulture, $"{_label}: round {value.Rounds}, {value.Solutions:N0} solutions, {value.Added:N0} added, {value.Removed:N0} removed"));

    public void Finish()
    {
        if (_shown)
        {
            _error.Write("\r" + new string(' ', _width) + "\r");
            _shown = false;
        }
    }

    private void Show(string line)
    {
        _error.Write("\r" + line.PadRight(_width));
        (_width, _shown) = (Math.Max(_width, line.Length), true);
    }

    public void Dispose() => Finish();
}
