using System.Net;
using System.Net.Sockets;

namespace OrleansKb.Client;

/// <summary>
/// How long a client waits to connect through its gateways. The clock starts when the client starts
/// connecting, not when its process did; and a client that is only slow — no attempt refused while a
/// gateway's port accepts TCP and waits for the client to speak, as a gateway does (a silo's
/// silo-to-silo port speaks first) — waits longer, up to <see cref="MaxWait"/>, as on a machine too
/// busy to start it quickly, instead of blaming the gateway.
/// </summary>
internal sealed class GatewayWait(IReadOnlyList<IPEndPoint> gateways)
{
    /// <summary>How long a connection refused, or a gateway port that accepts nothing, is waited for.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait for a client that is slow to connect to a port that accepts it.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private volatile bool _refused;
    private volatile bool _over;

    /// <summary>Whether the wait ended at <see cref="MaxWait"/> with a gateway's port accepting TCP and no attempt refused: the client, not the gateway, was slow.</summary>
    public bool SlowNotRefused { get; private set; }

    /// <summary>How long was waited before giving up.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>Orleans' retry filter: an attempt failed; try again shortly, unless the wait is over.</summary>
    public async Task<bool> RetryAsync(CancellationToken cancellationToken)
    {
        _refused = true;
        if (_over)
        {
            return false;
        }

        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        return !_over;
    }

    /// <summary>Waits for <paramref name="start"/> (the client's start); throws <see cref="OperationCanceledException"/> when the wait is over first.</summary>
    public async Task WaitAsync(Task start, CancellationToken cancellationToken)
    {
        while (await Task.WhenAny(start, Task.Delay(Timeout, cancellationToken)).ConfigureAwait(false) != start)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Waited += Timeout;
            if (_refused || Waited >= MaxWait || (await AcceptingAsync(gateways, asGateway: true, cancellationToken).ConfigureAwait(false)).Length == 0)
            {
                _over = true;
                SlowNotRefused = !_refused && Waited >= MaxWait;
                _ = start.ContinueWith(abandoned => abandoned.Exception, TaskScheduler.Default);
                throw new OperationCanceledException($"no gateway connected within {Waited.TotalSeconds:N0} s");
            }
        }

        await start.ConfigureAwait(false);
    }

    /// <summary>
    /// The gateways whose port accepts a TCP connection within a second — and, <paramref name="asGateway"/>,
    /// then stays silent for a second, as a gateway does until its client speaks: a silo's silo-to-silo
    /// port sends its own preamble at once.
    /// </summary>
    public static async Task<IPEndPoint[]> AcceptingAsync(IReadOnlyList<IPEndPoint> gateways, bool asGateway, CancellationToken cancellationToken)
    {
        var answering = await Task.WhenAll(gateways.Select(async gateway =>
        {
            using var socket = new Socket(gateway.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using (var connectTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    connectTime.CancelAfter(TimeSpan.FromSeconds(1));
                    await socket.ConnectAsync(gateway, connectTime.Token).ConfigureAwait(false);
                }

                if (!asGateway)
                {
                    return true;
                }

                using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                silence.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    // Bytes, or the connection closed: not a gateway waiting for its client.
                    await socket.ReceiveAsync(new byte[1], SocketFlags.None, silence.Token).ConfigureAwait(false);
                    return false;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return false;
            }
        })).ConfigureAwait(false);
        return [.. gateways.Where((_, i) => answering[i])];
    }
}
