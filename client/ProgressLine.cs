using System.Globalization;
using OrleansKb.Client;

namespace OrleansKb.Cli;

/// <summary>A one-line progress display on standard error, shown only on a terminal and for files over 1 MB.</summary>
internal sealed class ProgressLine : IProgress<LoadProgress>, IDisposable
{
    private readonly TextWriter _error;
    private readonly string _label;
    private bool _shown;

    private ProgressLine(TextWriter error, string label)
    {
        _error = error;
        _label = label;
    }

    public static ProgressLine? For(TextWriter error, string path) =>
        !Console.IsErrorRedirected && new FileInfo(path).Length > 1_000_000 ? new ProgressLine(error, Path.GetFileName(path)) : null;

    public void Report(LoadProgress value)
    {
        var fraction = value.TotalBytes > 0 ? (double)value.BytesRead / value.TotalBytes : 0;
        var filled = (int)(fraction * 30);
        _error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{_label} [{new string('#', filled)}{new string('.', 30 - filled)}] {fraction:P0} {value.AtomsAcknowledged:N0} atoms"));
        _shown = true;
    }

    public void Finish()
    {
        if (_shown)
        {
            _error.Write("\r" + new string(' ', _label.Length + 60) + "\r");
            _shown = false;
        }
    }

    public void Dispose() => Finish();
}
