using System.CommandLine;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>The <c>orleanskb</c> commands (DESIGN.md, command-line contract).</summary>
public static class OrleansKbCommandLine
{
    /// <summary>Runs one command line; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<Stream> openBinaryOutput)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var cluster = new ClusterOptions();
        var root = new RootCommand("OrleansKb: a MeTTa knowledge-base store on Microsoft Orleans.")
        {
            CheckCommand(output),
            FormatCommand(openBinaryOutput),
            BenchCommands.Create(cluster, output),
            DemoCommand.Create(output),
        };
        cluster.AddTo(root);
        foreach (var command in DataCommands.Create(cluster, output, error))
        {
            root.Subcommands.Add(command);
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(configuration);
        }
        catch (MettaSyntaxException e)
        {
            // FILE:LINE:COL: message, as compilers print it, so editors can jump to it.
            error.WriteLine(e.Message);
            return 1;
        }
        catch (Exception e) when (e is UserError or IOException or UnauthorizedAccessException or KbConnectionException
                                       or OversizedAtomException or MalformedEncodingException or InvalidAtomBatchException or ArgumentException)
        {
            error.WriteLine($"orleanskb: {e.Message}");
            return 1;
        }
    }

    private static Command CheckCommand(TextWriter output)
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "The .metta files to check." };
        var command = new Command("check", "Read each file and report its number of atoms, or the first syntax error with its line and column.")
        {
            files,
        };
        command.SetAction(parse =>
        {
            foreach (var path in parse.GetRequiredValue(files))
            {
                using var reader = InputFiles.Open(path);
                output.WriteLine($"{path}: {reader.CountRemaining()} atoms");
            }

            return 0;
        });
        return command;
    }

    private static Command FormatCommand(Func<Stream> openBinaryOutput)
    {
        var file = new Argument<string>("FILE") { Description = "The .metta file to print in canonical text." };
        var command = new Command("fmt", "Print a file's atoms in canonical text, one per line, in file order. Prints nothing if the file has an error.")
        {
            file,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetRequiredValue(file);

            // Check first, so that a file with an error gives no partial output.
            using (var check = InputFiles.Open(path))
            {
                check.CountRemaining();
            }

            using var reader = InputFiles.Open(path);
            using var stdout = openBinaryOutput();
            var text = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
            foreach (var atom in reader.ReadAll())
            {
                MettaPrinter.WriteLine(atom, text);
                if (text.WrittenCount >= 1 << 16)
                {
                    stdout.Write(text.WrittenSpan);
                    text.ResetWrittenCount();
                }
            }

            stdout.Write(text.WrittenSpan);
            return 0;
        });
        return command;
    }
}
