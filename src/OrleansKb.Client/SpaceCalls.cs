namespace OrleansKb.Client;

/// <summary>
/// The calls of one space's handle to its grain: each waits until the grain answers, the caller
/// cancels, or the connection to the cluster is lost, and turns a lost connection or an undelivered
/// message into the <see cref="KbConnectionException"/> that says which.
/// </summary>
internal sealed class SpaceCalls(IEnvironmentGrain grain, string name, ConnectionWatch? connection)
{
    public IEnvironmentGrain Grain => grain;

    /// <summary>Cancelled when the connection to the cluster is lost (never, inside a silo).</summary>
    public CancellationToken Connection => connection?.Lost ?? CancellationToken.None;

    /// <summary>Waits for a grain call: until it answers, the caller cancels, or the connection to the cluster is lost.</summary>
    public async Task<T> Call<T>(Task<T> call, CancellationToken cancellationToken)
    {
        var lost = Connection;
        using var either = lost.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lost) : null;
        try
        {
            return await call.WaitAsync(either?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || KbErrors.IsUndelivered(e))
        {
            // The call goes on without us (until it answers or Orleans times it out): observe its end.
            _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default);
            if (LostConnectionOr(e, cancellationToken) is KbConnectionException connectionLost)
            {
                throw connectionLost;
            }

            throw;
        }
    }

    /// <summary>As <see cref="Call{T}"/>, for a call that answers nothing.</summary>
    public Task Call(Task call, CancellationToken cancellationToken) => Call(Completed(call), cancellationToken);

    /// <summary>
    /// A cancellation caused by the lost connection (not by the caller) as the connection error; a
    /// message the gateway could not deliver as the space's silo being out of reach; any other failure as it is.
    /// </summary>
    public Exception LostConnectionOr(Exception failure, CancellationToken callerToken) => failure switch
    {
        OperationCanceledException when !callerToken.IsCancellationRequested && connection is { } watch && watch.Lost.IsCancellationRequested
            => watch.LostError(),
        _ when KbErrors.IsUndelivered(failure) && connection is not { Lost.IsCancellationRequested: true }
            => new KbConnectionException(
                $"space '{name}': the silo holding it does not answer (has it failed?); the cluster recovers the space on another silo once it has declared that silo dead, "
                + "within about 30 s by default (deploy/README.md, \"Failover\"): try again shortly",
                failure),
        _ => failure,
    };

    private static async Task<bool> Completed(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }
}
