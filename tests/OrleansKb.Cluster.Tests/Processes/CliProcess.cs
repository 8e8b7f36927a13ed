using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>The command-line client run as a separate process, as a user runs it.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();
    private readonly Stopwatch _running = Stopwatch.StartNew();
    private bool _disposed;

    private CliProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, line) => Record(_output, line.Data);
        process.ErrorDataReceived += (_, line) => Record(_error, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public int OutputLines => _output.Count;

    public string Output => string.Join('\n', _output);

    public string Error => string.Join('\n', _error);

    /// <summary>Starts <c>orleanskb ARGS</c>; with <paramref name="shellCommand"/>, <c>ARGS</c> are appended by <c>/bin/sh</c> (for bytes .NET cannot pass).</summary>
    public static CliProcess Start(IEnumerable<string> args, string? standardInputFile = null, string? shellCommand = null)
    {
        var start = shellCommand is null
            ? new ProcessStartInfo("dotnet") { ArgumentList = { Binaries.Cli } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"exec dotnet '{Binaries.Cli}' {shellCommand}" } };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = standardInputFile is not null;
        start.UseShellExecute = false;
        var cli = new CliProcess(Process.Start(start)!);
        if (standardInputFile is not null)
        {
            // Standard input is a pipe, written as the client reads it.
            _ = Task.Run(() =>
            {
                using var input = File.OpenRead(standardInputFile);
                try
                {
                    input.CopyTo(cli._process.StandardInput.BaseStream);
                    cli._process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The client stopped reading.
                }
            });
        }

        return cli;
    }

    /// <summary>Runs to the end (at most <paramref name="timeout"/>): the exit code, and how long it took.</summary>
    public static (int Exit, string Output, string Error, TimeSpan Elapsed) Run(IEnumerable<string> args, TimeSpan timeout, string? standardInputFile = null, string? shellCommand = null)
    {
        using var cli = Start(args, standardInputFile, shellCommand);
        var exit = cli.WaitForExit(timeout);
        return (exit, cli.Output, cli.Error, cli._running.Elapsed);
    }

    /// <summary>Waits for the client to exit and returns its exit code; kills it and fails if it takes longer than <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Dispose();
            throw new TimeoutException($"orleanskb did not exit within {timeout}: {Error}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends a signal, as the terminal does on Ctrl+C (SIGINT).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static void Record(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
