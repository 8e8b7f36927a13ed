using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// A real silo process (<c>orleanskb-silo</c>) on free loopback ports (a cluster of its own: localhost
/// clustering, no primary to join), with a data directory of its own (a temporary one, deleted with
/// it, unless one is given), and a hard limit on its heap, so that runaway work shows as a failure
/// instead of eating the machine. Stopped by its process id.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private readonly bool _ownsDataDirectory;

    private SiloProcess(Process process, int siloPort, int gatewayPort, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public string DataDirectory { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"localhost:{GatewayPort}";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the silo printed so far.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>Starts a silo with <paramref name="settings"/> (configuration keys, e.g. <c>Match:MaxSolutions</c>) and waits until it is ready.</summary>
    public static SiloProcess Start(IReadOnlyDictionary<string, string> settings, long heapLimitBytes, string? dataDirectory = null)
    {
        var silo = Launch(settings, heapLimitBytes, dataDirectory);
        var waited = Stopwatch.StartNew();
        while (!silo.Log.Contains("silo ready", StringComparison.Ordinal))
        {
            if (silo.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                silo.Dispose();
                throw new InvalidOperationException($"the silo did not start: {silo.Log}");
            }

            Thread.Sleep(50);
        }

        return silo;
    }

    /// <summary>Starts a silo that should refuse to start (with <paramref name="settings"/>, if given), and returns its exit code and what it printed.</summary>
    public static (int Exit, string Log) StartRefused(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        using var silo = Launch(settings ?? new Dictionary<string, string>(), 256L << 20, dataDirectory);
        if (!silo._process.WaitForExit(60_000))
        {
            throw new InvalidOperationException($"the silo started: {silo.Log}");
        }

        silo._process.WaitForExit();
        return (silo._process.ExitCode, silo.Log);
    }

    private static SiloProcess Launch(IReadOnlyDictionary<string, string> settings, long heapLimitBytes, string? dataDirectory)
    {
        var owned = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("orleanskb-silo-").FullName;
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Binaries.Silo },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["ORLEANSKB_SILOPORT"] = siloPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["ORLEANSKB_GATEWAYPORT"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["ORLEANSKB_DATADIRECTORY"] = dataDirectory;
        start.Environment["DOTNET_GCHeapHardLimit"] = heapLimitBytes.ToString("X", CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings)
        {
            start.Environment["ORLEANSKB_" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        var silo = new SiloProcess(process, siloPort, gatewayPort, dataDirectory, owned);
        process.OutputDataReceived += (_, line) => silo.Record(line.Data);
        process.ErrorDataReceived += (_, line) => silo.Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>The memory the process holds (VmRSS).</summary>
    public long ResidentBytes() => ReadStatus("VmRSS:") * 1024;

    /// <summary>CPU time the process has used, user and system.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Kills the silo at once, as a crash or <c>kill -9</c> would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        if (_ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private long ReadStatus(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{field} not found for process {_process.Id}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
