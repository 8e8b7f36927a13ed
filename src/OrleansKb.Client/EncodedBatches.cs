using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Client;

/// <summary>Atom objects a caller gives, encoded for the wire and checked against <see cref="SpaceLimits.MaxAtomBytes"/>.</summary>
internal static class EncodedBatches
{
    // Atoms a caller's enumeration is taken in at a time (each chunk is encoded in parallel).
    private const int InputChunkAtoms = 16_384;

    /// <summary>The encoding of one atom.</summary>
    /// <exception cref="OversizedAtomException">The atom is over the size limit.</exception>
    public static byte[] One(Atom atom)
    {
        var writer = new EncodedAtomWriter(256) { AtomLimit = SpaceLimits.MaxAtomBytes };
        AtomEncoder.Append(atom, writer);
        return writer.ToArray();
    }

    /// <summary>The atoms encoded into messages of at most <see cref="SpaceLimits.ExportPageBytes"/> (or one atom); all encoded and size-checked before the first is sent.</summary>
    public static List<AtomBatch> Of(IEnumerable<Atom> atoms)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var batches = new List<AtomBatch>();
        var writer = new EncodedAtomWriter(256) { AtomLimit = SpaceLimits.MaxAtomBytes };
        foreach (var atom in atoms)
        {
            var before = writer.Length;
            AtomEncoder.Append(atom, writer);
            if (writer.Length >= SpaceLimits.ExportPageBytes && writer.AtomCount > 1)
            {
                // The last atom starts the next batch.
                var last = writer.WrittenSpan[before..].ToArray();
                batches.Add(new AtomBatch(writer.WrittenSpan[..before].ToArray(), writer.AtomCount - 1));
                writer.Clear();
                writer.AppendAtom(last);
            }
        }

        if (writer.AtomCount > 0 || batches.Count == 0)
        {
            batches.Add(new AtomBatch(writer.ToArray(), writer.AtomCount));
        }

        return batches;
    }

#pragma warning disable CS1998 // Synchronous input, one shape for both kinds.
    /// <summary>The atoms in chunks, as the parallel encoder takes them.</summary>
    public static async IAsyncEnumerable<Atom[]> Chunks(IEnumerable<Atom> atoms)
#pragma warning restore CS1998
    {
        ArgumentNullException.ThrowIfNull(atoms);
        foreach (var chunk in atoms.Chunk(InputChunkAtoms))
        {
            yield return chunk;
        }
    }

    /// <summary>The atoms in chunks as they arrive.</summary>
    public static async IAsyncEnumerable<Atom[]> Chunks(IAsyncEnumerable<Atom> atoms, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var chunk = new List<Atom>(InputChunkAtoms);
        await foreach (var atom in atoms.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            chunk.Add(atom);
            if (chunk.Count == InputChunkAtoms)
            {
                yield return [.. chunk];
                chunk.Clear();
            }
        }

        if (chunk.Count > 0)
        {
            yield return [.. chunk];
        }
    }
}
