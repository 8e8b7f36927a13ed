using System.CommandLine;
using System.Runtime.InteropServices;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>The <c>orleanskb</c> commands (README.md, "Commands").</summary>
public static class OrleansKbCommandLine
{
    // After Ctrl+C, how long the command may take to stop by itself (a load waits up to 3 s for its
    // batches in flight, so that it can say how many were acknowledged).
    private static readonly TimeSpan ForcedExitDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs one command line; returns the process exit code: 0, 1 with one line on
    /// <paramref name="error"/> for any failure, or 130 when interrupted (Ctrl+C, SIGTERM), which
    /// cancels the command's work.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<Stream> openBinaryOutput, Func<Stream> openStandardInput)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var cluster = new ClusterOptions();
        var inputs = new InputFiles(openStandardInput);
        var root = new RootCommand("OrleansKb: a MeTTa knowledge-base store on Microsoft Orleans.")
        {
            CheckCommand(inputs, output),
            FormatCommand(inputs, openBinaryOutput),
            BenchCommands.Create(cluster, output),
            DemoCommand.Create(output),
        };
        cluster.AddTo(root);
        foreach (var command in DataCommands.Create(cluster, inputs, output, error))
        {
            root.Subcommands.Add(command);
        }

        // Interruption is ours to handle: the work is cancelled, and the command ends with 130.
        using var interrupt = new CancellationTokenSource();
        var finished = false;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            CommandLineText.RequireValidUtf8(args);
            var parse = root.Parse(args);
            if (parse.Errors is [var first, ..])
            {
                // One line, as for any other error: not the parser's message followed by the whole help.
                throw new UserError($"{first.Message.TrimEnd('.')} (orleanskb --help for usage)");
            }

            var exit = await parse.InvokeAsync(configuration, interrupt.Token);
            return interrupt.IsCancellationRequested && exit == 0 ? ErrorReport.Interrupted : exit;
        }
        catch (Exception e)
        {
            return ErrorReport.Write(e, interrupt.IsCancellationRequested, error);
        }
        finally
        {
            finished = true;
        }

        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupt.Cancel();

            // Work that cannot watch the token (a read blocked on a terminal or a pipe) must not
            // keep the command from ending.
            _ = Task.Delay(ForcedExitDelay, CancellationToken.None).ContinueWith(_ =>
            {
                if (!finished)
                {
                    error.WriteLine("orleanskb: interrupted");
                    Environment.Exit(ErrorReport.Interrupted);
                }
            }, TaskScheduler.Default);
        }
    }

    private static Command CheckCommand(InputFiles inputs, TextWriter output)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "The .metta files to check; - for standard input." };
        var command = new Command("check", "Read each file and report its number of atoms, or the first error (syntax, or an atom too large for a space) with its line and column.")
        {
            files,
        };
        command.SetAction((parse, ct) =>
        {
            foreach (var name in parse.GetRequiredValue(files))
            {
                using var reader = inputs.OpenReader(name);
                output.WriteLine($"{name}: {reader.CountRemaining(ct)} atoms");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command FormatCommand(InputFiles inputs, Func<Stream> openBinaryOutput)
    {
        var file = new Argument<string>("FILE") { Description = "The .metta file to print in canonical text; - for standard input." };
        var command = new Command("fmt", "Print a file's atoms in canonical text, one per line, in file order. Prints nothing if the file has an error.")
        {
            file,
        };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetRequiredValue(file);

            // Read once to check, so that input with an error gives no partial output; input that
            // cannot be read twice (standard input, a pipe) is kept in memory for the second pass.
            using var input = Rewindable(inputs.OpenStream(name));
            using (var check = new MettaReader(input, name, leaveOpen: true))
            {
                check.CountRemaining(ct);
            }

            input.Position = 0;
            using var reader = new MettaReader(input, name);
            var stdout = openBinaryOutput();
            var canonical = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
            foreach (var atom in reader.ReadAll())
            {
                ct.ThrowIfCancellationRequested();
                MettaPrinter.WriteLine(atom, canonical);
                if (canonical.WrittenCount >= 1 << 16)
                {
                    stdout.Write(canonical.WrittenSpan);
                    canonical.ResetWrittenCount();
                }
            }

            stdout.Write(canonical.WrittenSpan);
            stdout.Flush();
            return Task.FromResult(0);
        });
        return command;
    }

    private static Stream Rewindable(Stream input)
    {
        if (input.CanSeek)
        {
            return input;
        }

        using (input)
        {
            var copy = new MemoryStream();
            input.CopyTo(copy);
            copy.Position = 0;
            return copy;
        }
    }
}
