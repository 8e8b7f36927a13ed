using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// A batch of encoded atoms from outside, checked whole before anything is done with it (a malformed
/// batch throws <see cref="MalformedEncodingException"/> and nothing is applied), held in a pooled
/// writer that knows where each atom ends.
/// </summary>
internal readonly struct ValidatedBatch : IDisposable
{
    private ValidatedBatch(EncodedAtomWriter writer) => Writer = writer;

    public EncodedAtomWriter Writer { get; }

    public static ValidatedBatch Of(ReadOnlySpan<byte> batch)
    {
        var writer = WriterPool.Rent();
        try
        {
            AtomDecoder.ValidateInto(batch, writer);
        }
        catch
        {
            WriterPool.Return(writer);
            throw;
        }

        return new ValidatedBatch(writer);
    }

    public void Dispose() => WriterPool.Return(Writer);
}
