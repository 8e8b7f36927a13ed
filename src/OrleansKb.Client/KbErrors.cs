using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansKb.Text;

namespace OrleansKb.Client;

/// <summary>What stopped a call on the cluster, said in one line: the words the command line prints and the HTTP API's problem details carry.</summary>
public static class KbErrors
{
    /// <summary>One line about <paramref name="failure"/>: its own message for the errors a user can act on, with what kind of trouble it is for the others.</summary>
    public static string Describe(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            LoadInterruptedException { InnerException: { } cause } load => $"{Describe(cause)}; {load.Message}",
            LoadInterruptedException load => load.Message,
            TimeoutException => $"the cluster did not answer in time: {OneLine(failure.Message)}",
            SiloUnavailableException or ConnectionFailedException or OrleansMessageRejectionException or ClientNotAvailableException
                => $"lost the connection to the cluster: {OneLine(failure.Message)}",
            IOException or InvalidDataException or UnauthorizedAccessException or KbConnectionException or MatchFailedException or InvalidAtomBatchException or SpaceStorageException
                or Codec.OversizedAtomException or Codec.MalformedEncodingException or ArgumentException or MettaSyntaxException => OneLine(failure.Message),
            OrleansException => $"the cluster refused the request: {OneLine(failure.Message)}",
            _ => $"unexpected {failure.GetType().Name}: {OneLine(failure.Message)}",
        };
    }

    /// <summary>The first line of a message, which for Orleans' exceptions can run to several.</summary>
    private static string OneLine(string message)
    {
        var line = message.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).TrimEnd().ToString();
    }
}
