using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Text;

namespace OrleansKb.Client;

/// <summary>
/// The one classification of what can stop a call: every exception a client can see is of exactly
/// one <see cref="KbErrorKind"/>, said in one line. The command line prints the line; the HTTP API
/// answers with the kind's status and the line as the problem's detail.
/// </summary>
public static class KbErrors
{
    /// <summary>The kind of <paramref name="failure"/> and one line about it: its own message for the errors a user can act on, with what kind of trouble it is for the others.</summary>
    public static KbError Classify(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            // What stopped a load, and how much of it is in.
            LoadInterruptedException { InnerException: { } cause } load => Interrupted(Classify(cause), load),
            LoadInterruptedException load => new(KbErrorKind.Unavailable, OneLine(load.Message)),
            AggregateException { InnerExceptions: [var only] } => Classify(only),

            OperationCanceledException => new(KbErrorKind.Cancelled, "cancelled"),

            // Damage first: it is an IOException, and it does not heal by waiting.
            StoreCorruptedException or SpaceStorageException { Damaged: true } => new(KbErrorKind.Damaged, OneLine(failure.Message)),

            MettaSyntaxException or OversizedAtomException or InvalidDataException or InvalidAtomBatchException or ArgumentException or InputChangedException
                or FileNotFoundException or DirectoryNotFoundException or PathTooLongException or UnauthorizedAccessException
                => new(KbErrorKind.UserInput, OneLine(failure.Message)),

            MatchFailedException => new(KbErrorKind.MatchStopped, OneLine(failure.Message)),

            TimeoutException => new(KbErrorKind.Unavailable, $"the cluster did not answer in time: {OneLine(failure.Message)}"),
            GatewayTooBusyException => new(KbErrorKind.Unavailable, $"the cluster is too busy to take the request: {OneLine(failure.Message)}"),
            _ when IsUndelivered(failure) || failure is ClientNotAvailableException
                => new(KbErrorKind.Unavailable, $"lost the connection to the cluster: {OneLine(failure.Message)}"),
            KbConnectionException or SpaceStorageException or IOException or PartitionMapChangedException
                => new(KbErrorKind.Unavailable, OneLine(failure.Message)),

            SpaceMemoryException => new(KbErrorKind.NoMemory, OneLine(failure.Message)),
            OutOfMemoryException => new(KbErrorKind.NoMemory, $"out of memory: {OneLine(failure.Message)}"),
            MalformedEncodingException => new(KbErrorKind.Internal, $"the cluster sent bytes that are not an atom: {OneLine(failure.Message)}"),
            OrleansException => new(KbErrorKind.Internal, $"the cluster refused the request: {OneLine(failure.Message)}"),
            _ => new(KbErrorKind.Internal, $"unexpected {failure.GetType().Name}: {OneLine(failure.Message)}"),
        };
    }

    /// <summary>A call the cluster could not deliver, or whose connection failed under it: the silo it was for, or the gateway, is out of reach (a silo lost, <see cref="SiloUnavailableException"/>, is one).</summary>
    internal static bool IsUndelivered(Exception failure) => failure is OrleansMessageRejectionException or ConnectionFailedException;

    /// <summary>A load stopped by <paramref name="cause"/>: its kind, and what stopped it followed by how much of the load is in.</summary>
    private static KbError Interrupted(KbError cause, LoadInterruptedException load) => cause with { Message = $"{cause.Message}; {OneLine(load.Message)}" };

    /// <summary>The first line of a message, which for Orleans' exceptions can run to several.</summary>
    private static string OneLine(string message)
    {
        var line = message.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).TrimEnd().ToString();
    }
}
