namespace OrleansKb.Persistence;

/// <summary>
/// Writes a snapshot to a temporary file in checksummed chunks; publishing flushes it, waits until the
/// log is on disk up to the snapshot's record, renames it into place and flushes the folder, so a
/// snapshot file is either complete or absent, and never ahead of the log.
/// </summary>
internal sealed class FileSnapshotWriter(FileStoredSpace space, string folder, long sequence) : ISnapshotWriter
{
    // Its own temporary name: a second snapshot of the same record cannot touch this one's file.
    private readonly string _temporary = Path.Combine(folder, $"snapshot-{sequence:D20}.{Guid.NewGuid():N}.tmp");
    private FileStream? _file;
    private long _atoms;
    private long _rules;
    private bool _published;

    public async Task WriteAtomsAsync(ReadOnlyMemory<byte> atoms, int count, CancellationToken cancellationToken = default)
    {
        await WriteChunkAsync(SnapshotFormat.AtomsChunk, atoms, count, cancellationToken).ConfigureAwait(false);
        _atoms += count;
    }

    public async Task WriteRulesAsync(ReadOnlyMemory<byte> rules, int count, CancellationToken cancellationToken = default)
    {
        await WriteChunkAsync(SnapshotFormat.RulesChunk, rules, count, cancellationToken).ConfigureAwait(false);
        _rules += count;
    }

    public async Task PublishAsync(CancellationToken cancellationToken = default)
    {
        await WriteChunkAsync(SnapshotFormat.EndChunk, SnapshotFormat.EndPayload(_atoms, _rules), 0, cancellationToken).ConfigureAwait(false);
        var file = _file!;
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        await file.DisposeAsync().ConfigureAwait(false);
        _file = null;

        // The snapshot stands for every record up to its sequence: it may become current only once
        // they are all on disk, or a crash could leave a snapshot ahead of its log.
        await space.DurableThrough(sequence).ConfigureAwait(false);
        space.Publish(sequence, _temporary, _atoms);
        _published = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }

        if (!_published)
        {
            File.Delete(_temporary);
        }
    }

    private async Task WriteChunkAsync(byte kind, ReadOnlyMemory<byte> payload, int count, CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            _file = OwnerOnly.Open(_temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await _file.WriteAsync(SnapshotFormat.Header(sequence), cancellationToken).ConfigureAwait(false);
        }

        var (head, tail) = SnapshotFormat.Frame(kind, payload.Span, count);
        await _file.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await _file.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
        await _file.WriteAsync(tail, cancellationToken).ConfigureAwait(false);
    }
}
