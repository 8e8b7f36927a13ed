using System.Text;
using OrleansKb.Cli;

// Standard output through a stream that reports a closed pipe (StandardOutput), buffered: commands
// that print much (export, match) write in large blocks.
using var stdout = new StandardOutput();
using var output = new StreamWriter(stdout, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
var exit = await OrleansKbCommandLine.RunAsync(args, output, Console.Error, () => stdout, Console.OpenStandardInput);
try
{
    output.Flush();
}
catch (OutputClosedException)
{
    return ErrorReport.OutputClosed;
}

return exit;
