using OrleansKb.Codec;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>Royal92-shaped facts, encoded and cut into batches of about 1 MiB, as a client sends them.</summary>
internal static class FactBatches
{
    public static byte[][] Generate(int atoms)
    {
        var batches = new List<byte[]>();
        var writer = new EncodedAtomWriter();
        foreach (var fact in Royal92ShapedFacts.Generate(atoms))
        {
            AtomEncoder.Append(fact, writer);
            if (writer.Length >= 1 << 20)
            {
                batches.Add(writer.ToArray());
                writer.Clear();
            }
        }

        batches.Add(writer.ToArray());
        return [.. batches];
    }
}
