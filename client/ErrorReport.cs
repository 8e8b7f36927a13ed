using OrleansKb.Client;
using OrleansKb.Text;

namespace OrleansKb.Cli;

/// <summary>Turns whatever stopped a command into one line for standard error and an exit code: 130 when interrupted, else 1.</summary>
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

        if (interrupted && IsCancellation(failure))
        {
            error.WriteLine(failure is LoadInterruptedException load ? $"orleanskb: interrupted; {load.Message}" : "orleanskb: interrupted");
            return Interrupted;
        }

        // FILE:LINE:COL: message, as compilers print it, so editors can jump to it.
        error.WriteLine(failure is MettaSyntaxException ? failure.Message : "orleanskb: " + (failure is UserError ? failure.Message : KbErrors.Describe(failure)));
        return 1;
    }

    private static bool IsCancellation(Exception failure) =>
        failure is OperationCanceledException || failure.InnerException is OperationCanceledException;
}
