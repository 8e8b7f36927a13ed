using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>
/// The client library's one classification of errors (<see cref="KbErrors.Classify"/>), which the
/// command line's messages and the HTTP API's statuses both follow: every exception a client can
/// see is of exactly one kind, said in one line.
/// </summary>
public sealed class ErrorClassificationTests
{
    private const string TwoLines = "the first line\n   at the second line";

#pragma warning disable CA2201 // The runtime throws these; here they are handed over as it would throw them.

    /// <summary>Every exception type a client can see — thrown by the library, sent by the cluster, or by .NET under it — with its kind.</summary>
    private static readonly (Exception Failure, KbErrorKind Kind)[] Seen =
    [
        (new ArgumentException(TwoLines), KbErrorKind.UserInput),
        (new ArgumentNullException("atoms"), KbErrorKind.UserInput),
        (new ArgumentOutOfRangeException("limit"), KbErrorKind.UserInput),
        (new MettaSyntaxException("'(' is never closed", 3, 1, "input.metta"), KbErrorKind.UserInput),
        (new OversizedAtomException(TwoLines), KbErrorKind.UserInput),
        (new InvalidDataException(TwoLines), KbErrorKind.UserInput),
        (new InvalidAtomBatchException(TwoLines), KbErrorKind.UserInput),
        (new InputChangedException(TwoLines), KbErrorKind.UserInput),
        (new FileNotFoundException(TwoLines), KbErrorKind.UserInput),
        (new DirectoryNotFoundException(TwoLines), KbErrorKind.UserInput),
        (new PathTooLongException(TwoLines), KbErrorKind.UserInput),
        (new UnauthorizedAccessException(TwoLines), KbErrorKind.UserInput),
        (new LoadInterruptedException("the load stopped after 10 atoms", new InputChangedException(TwoLines)), KbErrorKind.UserInput),

        (new MatchFailedException(TwoLines), KbErrorKind.MatchStopped),

        (new TimeoutException(TwoLines), KbErrorKind.Unavailable),
        (new SiloUnavailableException(TwoLines), KbErrorKind.Unavailable),
        (Made<OrleansMessageRejectionException>(TwoLines), KbErrorKind.Unavailable),
        (new ConnectionFailedException(TwoLines), KbErrorKind.Unavailable),
        (Made<ClientNotAvailableException>(TwoLines), KbErrorKind.Unavailable),
        (new GatewayTooBusyException(TwoLines), KbErrorKind.Unavailable),
        (new KbConnectionException(TwoLines), KbErrorKind.Unavailable),
        (new SpaceStorageException(TwoLines), KbErrorKind.Unavailable),
        (new PartitionMapChangedException(TwoLines), KbErrorKind.Unavailable),
        (new DataDirectoryInUseException(TwoLines), KbErrorKind.Unavailable),
        (new IOException(TwoLines), KbErrorKind.Unavailable),
        (new LoadInterruptedException("the load stopped after 10 atoms", new KbConnectionException(TwoLines)), KbErrorKind.Unavailable),
        (new LoadInterruptedException(TwoLines), KbErrorKind.Unavailable),

        (new StoreCorruptedException(TwoLines), KbErrorKind.Damaged),
        (new SpaceStorageException(TwoLines) { Damaged = true }, KbErrorKind.Damaged),

        (new OperationCanceledException(TwoLines), KbErrorKind.Cancelled),
        (new TaskCanceledException(TwoLines), KbErrorKind.Cancelled),
        (new LoadInterruptedException("the load stopped after 10 atoms", new OperationCanceledException()), KbErrorKind.Cancelled),
        (new AggregateException(new OperationCanceledException()), KbErrorKind.Cancelled),

        (new SpaceMemoryException(TwoLines), KbErrorKind.NoMemory),
        (new OutOfMemoryException(TwoLines), KbErrorKind.NoMemory),
        (new InsufficientMemoryException(TwoLines), KbErrorKind.NoMemory),
        (new MalformedEncodingException(TwoLines, 12), KbErrorKind.Internal),
        (new OrleansException(TwoLines), KbErrorKind.Internal),
        (new InvalidOperationException(TwoLines), KbErrorKind.Internal),
        (new NullReferenceException(TwoLines), KbErrorKind.Internal),
    ];

#pragma warning restore CA2201

    public static TheoryData<int> Cases => [.. Enumerable.Range(0, Seen.Length)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_exception_a_client_can_see_is_of_its_one_kind_in_one_line(int index)
    {
        var (failure, kind) = Seen[index];

        var error = KbErrors.Classify(failure);

        Assert.Equal(kind, error.Kind);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Every_exception_type_of_the_client_library_and_its_wire_contract_is_classified_here()
    {
        // A new exception type in either assembly must be given its kind in the table above.
        var declared = new[] { typeof(KbSpace).Assembly, typeof(SpaceStorageException).Assembly }
            .SelectMany(assembly => assembly.GetExportedTypes())
            .Where(type => type.IsAssignableTo(typeof(Exception)))
            .ToHashSet();

        Assert.Subset(Seen.Select(seen => seen.Failure.GetType()).ToHashSet(), declared);
    }

    [Fact]
    public void Running_out_of_memory_is_named_as_such()
    {
        var error = KbErrors.Classify(Seen.Single(seen => seen.Failure.GetType() == typeof(OutOfMemoryException)).Failure);

        Assert.StartsWith("out of memory", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An exception Orleans makes with a constructor it keeps to itself.</summary>
    private static T Made<T>(string message) where T : Exception =>
        (T)Activator.CreateInstance(typeof(T), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null, [message], null)!;

    [Fact]
    public void An_interrupted_load_says_what_stopped_it_and_how_much_of_it_is_in()
    {
        var load = new LoadInterruptedException("a.metta: the load stopped after 10 of its atoms were acknowledged", new KbConnectionException("lost the connection to the cluster at localhost:30000"));

        Assert.Equal(
            new KbError(KbErrorKind.Unavailable, "lost the connection to the cluster at localhost:30000; a.metta: the load stopped after 10 of its atoms were acknowledged"),
            KbErrors.Classify(load));
    }
}
