using Orleans.Runtime;
using Orleans.Runtime.Messaging;
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
        error.WriteLine(failure is MettaSyntaxException ? failure.Message : "orleanskb: " + Describe(failure));
        return 1;
    }

    private static bool IsCancellation(Exception failure) =>
        failure is OperationCanceledException || failure.InnerException is OperationCanceledException;

    private static string Describe(Exception failure) => failure switch
    {
        LoadInterruptedException load => $"{Describe(load.InnerException ?? load)}; {load.Message}",
        TimeoutException => $"the cluster did not answer in time: {OneLine(failure.Message)}",
        SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException or ClientNotAvailableException
            => $"lost the connection to the cluster: {OneLine(failure.Message)}",
        UserError or IOException or UnauthorizedAccessException or KbConnectionException or MatchFailedException or InvalidAtomBatchException or SpaceStorageException
            or Codec.OversizedAtomException or Codec.MalformedEncodingException or ArgumentException or MettaSyntaxException => OneLine(failure.Message),
        OrleansException => $"the cluster refused the request: {OneLine(failure.Message)}",
        _ => $"unexpected {failure.GetType().Name}: {OneLine(failure.Message)}",
    };

    /// <summary>The first line of a message, which for Orleans' exceptions can run to several.</summary>
    private static string OneLine(string message)
    {
        var line = message.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).TrimEnd().ToString();
    }
}
