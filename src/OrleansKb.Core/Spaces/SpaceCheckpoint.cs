using OrleansKb.Codec;
using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// A snapshot of a space taken while the space goes on changing — a fuzzy checkpoint
/// (docs/durability.md). <see cref="Begin"/> notes the last logged record and copies the rule index's
/// entries, at once; <see cref="WriteAsync"/> then writes the atoms page by page, each page read under
/// the environment's lock for a moment only, so adds, removes and queries go on between pages. The
/// snapshot plus the log after the noted record is exactly the live space.
/// </summary>
public sealed class SpaceCheckpoint
{
    /// <summary>The size of a page of atoms: read in about a millisecond.</summary>
    public const int PageBytes = 1 << 20;

    private readonly AtomSpace _environment;
    private readonly ISnapshotWriter _writer;
    private readonly (long Sequence, byte[] Key)[] _rules;

    private SpaceCheckpoint(AtomSpace environment, ISnapshotWriter writer, (long Sequence, byte[] Key)[] rules, long sequence)
    {
        _environment = environment;
        _writer = writer;
        _rules = rules;
        Sequence = sequence;
    }

    /// <summary>The last record the snapshot covers.</summary>
    public long Sequence { get; }

    /// <summary>
    /// Starts a checkpoint at <paramref name="sequence"/>, the last record appended to
    /// <paramref name="stored"/>; no record may be appended between that append and this call.
    /// </summary>
    public static SpaceCheckpoint Begin(AtomSpace environment, IStoredSpace stored, long sequence)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stored);
        return new SpaceCheckpoint(environment, stored.BeginSnapshot(sequence), environment.RuleEntries(), sequence);
    }

    /// <summary>Writes the snapshot and publishes it; returns the number of atoms written.</summary>
    public async Task<long> WriteAsync(CancellationToken cancellationToken = default)
    {
        await using (_writer.ConfigureAwait(false))
        {
            var page = new EncodedAtomWriter(PageBytes + 4096);
            byte[] after = [];
            long atoms = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                page.Clear();
                var count = _environment.ExportEncoded(after, PageBytes, page);
                if (count == 0)
                {
                    break;
                }

                after = page.Atom(count - 1).ToArray();
                await _writer.WriteAtomsAsync(page.WrittenMemory, count, cancellationToken).ConfigureAwait(false);
                atoms += count;
            }

            // The rules in insertion order: sorted here, off the space's turns.
            Array.Sort(_rules, (a, b) => a.Sequence.CompareTo(b.Sequence));
            page.Clear();
            var inPage = 0;
            foreach (var (_, key) in _rules)
            {
                page.AppendAtom(key);
                if (++inPage == 16_384 || page.Length >= PageBytes)
                {
                    await _writer.WriteRulesAsync(page.WrittenMemory, inPage, cancellationToken).ConfigureAwait(false);
                    page.Clear();
                    inPage = 0;
                }
            }

            if (inPage > 0)
            {
                await _writer.WriteRulesAsync(page.WrittenMemory, inPage, cancellationToken).ConfigureAwait(false);
            }

            await _writer.PublishAsync(cancellationToken).ConfigureAwait(false);
            return atoms;
        }
    }
}
