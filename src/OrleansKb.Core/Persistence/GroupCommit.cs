using System.Diagnostics;
using OrleansKb.Diagnostics;

namespace OrleansKb.Persistence;

/// <summary>
/// Group commit for a store's log (docs/durability.md). An append adds its record to the pending
/// group under its owner's lock and gets the task of the commit that will carry it; one committer at a
/// time takes the whole pending group, commits it (a write and a flush, one transaction, …) and
/// completes every append in it, while later appends gather in the next group. A failed commit fails
/// its appends and the waiting ones, and the log takes no more: its space must be opened again.
/// </summary>
/// <typeparam name="TGroup">What a group of records is kept in until it is committed.</typeparam>
/// <param name="sync">The owner's lock, held by the owner around <see cref="Pending"/> and <see cref="Added"/>.</param>
/// <param name="newGroup">Makes an empty group.</param>
/// <param name="commit">Commits a group: when its task completes, every record in it is durable.</param>
public sealed class GroupCommit<TGroup>(Lock sync, Func<TGroup> newGroup, Func<TGroup, Task> commit)
{
    private TGroup _pending = newGroup();
    private int _pendingCount;
    private long _lastAdded;
    private TaskCompletionSource _next = NewCommit();
    private TaskCompletionSource? _committing;
    private long _committingThrough;
    private long _durableThrough;
    private bool _running;
    private Task _committer = Task.CompletedTask;

    /// <summary>The group the next commit takes; add to it under the owner's lock, then call <see cref="Added"/>.</summary>
    public TGroup Pending => _pending;

    /// <summary>How many commits have made records durable: fewer than the records when they are grouped.</summary>
    public long Commits { get; private set; }

    /// <summary>Why a commit failed, once one has; the log takes no more after it.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Completes when no commit is running (for the owner's dispose).</summary>
    public Task Idle
    {
        get
        {
            lock (sync)
            {
                return _committer;
            }
        }
    }

    /// <summary>Whether <see cref="Recovered"/> has been called: a log takes records only once its space is recovered.</summary>
    public bool IsRecovered { get; private set; }

    /// <summary>Under the owner's lock, once recovered: every record up to <paramref name="sequence"/> is durable already.</summary>
    public void Recovered(long sequence) => (_durableThrough, _lastAdded, IsRecovered) = (sequence, sequence, true);

    /// <summary>Under the owner's lock: throws unless record <paramref name="sequence"/> follows the last one added (or recovered).</summary>
    public void CheckFollows(long sequence, string space)
    {
        if (sequence != _lastAdded + 1)
        {
            throw new InvalidOperationException($"space '{space}': record {sequence} does not follow {_lastAdded}");
        }
    }

    /// <summary>Under the owner's lock: throws unless a snapshot taken at <paramref name="sequence"/> begins at the last record.</summary>
    public void CheckIsLast(long sequence, string space)
    {
        if (sequence != _lastAdded)
        {
            throw new InvalidOperationException($"space '{space}': a snapshot must begin at the last record, {_lastAdded}, not {sequence}");
        }
    }

    /// <summary>Under the owner's lock, after adding record <paramref name="sequence"/> to <see cref="Pending"/>: the task of the commit that carries it.</summary>
    public Task Added(long sequence)
    {
        _lastAdded = sequence;
        _pendingCount++;
        if (!_running)
        {
            _running = true;
            _committer = Task.Run(RunAsync);
        }

        return _next.Task;
    }

    /// <summary>Completes once every record up to <paramref name="sequence"/> is durable (at once if it already is).</summary>
    public Task DurableThrough(long sequence)
    {
        lock (sync)
        {
            if (sequence <= _durableThrough)
            {
                return Task.CompletedTask;
            }

            if (Failure is not null)
            {
                return Task.FromException(Failure);
            }

            return _committing is not null && sequence <= _committingThrough ? _committing.Task : _next.Task;
        }
    }

    private static TaskCompletionSource NewCommit() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        while (true)
        {
            TGroup group;
            TaskCompletionSource done;
            lock (sync)
            {
                if (_pendingCount == 0 || Failure is not null)
                {
                    (_running, _committing) = (false, null);
                    return;
                }

                (group, _pending, _pendingCount) = (_pending, newGroup(), 0);
                (done, _next) = (_next, NewCommit());
                (_committing, _committingThrough) = (done, _lastAdded);
            }

            try
            {
                var started = Stopwatch.GetTimestamp();
                await commit(group).ConfigureAwait(false);
                KbMetrics.Flushed(started);
                lock (sync)
                {
                    _durableThrough = _committingThrough;
                    Commits++;
                }

                done.SetResult();
            }
            catch (Exception e)
            {
                TaskCompletionSource next;
                lock (sync)
                {
                    (Failure, _running, _committing) = (e, false, null);
                    next = _next;
                }

                done.SetException(e);
                next.TrySetException(e);
                return;
            }
        }
    }
}
