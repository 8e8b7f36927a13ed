namespace OrleansKb.Client;

/// <summary>
/// Tells a client when it has lost every gateway. Orleans fails a request whose connection closed
/// only when the request times out (two minutes); a <see cref="KbSpace"/> of this cluster instead
/// stops waiting as soon as the connection is lost. When a gateway is reached again, a new token
/// starts.
/// </summary>
internal sealed class ConnectionWatch(string gateway) : IClusterConnectionStatusObserver, IDisposable
{
    private CancellationTokenSource _lost = new();

    /// <summary>What a caller whose call was cut off is told.</summary>
    public KbConnectionException LostError() => new($"lost the connection to the cluster at {gateway}: the gateway closed it (a silo stopped or failed?)");

    /// <summary>Cancelled when the client has no gateway left.</summary>
    public CancellationToken Lost => Volatile.Read(ref _lost).Token;

    public void NotifyClusterConnectionLost()
    {
        // Off Orleans' networking thread: cancelling runs the waiting callers' continuations.
        var lost = Volatile.Read(ref _lost);
        ThreadPool.QueueUserWorkItem(_ =>
        {
            try
            {
                lost.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The client was disposed first (its own shutdown closes the connection): no one waits.
            }
        });
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (connectionRecovered)
        {
            // The old source is left to the collector: callers may still be linked to its token.
            Interlocked.Exchange(ref _lost, new CancellationTokenSource());
        }
    }

    public void Dispose() => _lost.Dispose();
}
