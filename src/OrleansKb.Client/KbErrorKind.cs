namespace OrleansKb.Client;

/// <summary>
/// What kind of trouble stopped a call, which says what to do about it (<see cref="KbErrors.Classify"/>):
/// the command line's messages and the HTTP API's statuses (docs/http.md, "Errors") both follow from it.
/// </summary>
public enum KbErrorKind
{
    /// <summary>What was asked is wrong — the input, an argument, a name — and asking the same again fails again. HTTP 400.</summary>
    UserInput,

    /// <summary>A space stopped a match, or would not start one: over the silo's budget, closed, or too many open. HTTP 422.</summary>
    MatchStopped,

    /// <summary>The cluster or its store cannot serve this now (a silo lost, the store unreachable, a load interrupted): it may succeed later. HTTP 503.</summary>
    Unavailable,

    /// <summary>A space's stored data is damaged: waiting will not heal it; an operator must repair or restore it. HTTP 500, problem type <c>space-damaged</c>.</summary>
    Damaged,

    /// <summary>The caller cancelled the call (Ctrl+C, a request aborted).</summary>
    Cancelled,

    /// <summary>A failure of the client or the cluster itself: a bug. HTTP 500.</summary>
    Internal,

    /// <summary>
    /// A silo has no memory for the write: it refused it before its memory ran out (or, where that
    /// still happens, ran out); nothing of it was applied. More memory, another silo or more partitions
    /// make room (docs/cluster.md, "Memory"). HTTP 507.
    /// </summary>
    NoMemory,
}
