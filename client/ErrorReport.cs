using OrleansKb.Client;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>Turns whatever stopped a command into one line for standard error (<see cref="KbErrors.Classify"/>) and an exit code: 130 when interrupted, else 1.</summary>
internal static class ErrorReport
{
    public const int Interrupted = 130;

    /// <summary>The exit code of a command whose output was closed by its reader: 128 + SIGPIPE, as for Unix tools.</summary>
    public const int OutputClosed = 141;

    public static int Write(Exception failure, bool interrupted, TextWriter error)
    {
        if (failure is OutputClosedException || failure.InnerException is OutputClosedException)
        {
            // The reader of our output has gone (`… | head`): nothing to tell it.
            return OutputClosed;
        }

        var report = KbErrors.Classify(failure);
        if (interrupted && report.Kind == KbErrorKind.Cancelled)
        {
            error.WriteLine(failure is LoadInterruptedException load ? $"orleanskb: interrupted; {load.Message}" : "orleanskb: interrupted");
            return Interrupted;
        }

        // FILE:LINE:COL: message, as compilers print it, so editors can jump to it.
        error.WriteLine(failure is MettaSyntaxException ? report.Message : "orleanskb: " + report.Message);
        return 1;
    }
}
