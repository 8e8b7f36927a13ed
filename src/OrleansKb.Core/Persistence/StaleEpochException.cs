namespace OrleansKb.Persistence;

/// <summary>An append from an activation of a space that has since been opened again (a newer epoch): refused, so two activations never both write.</summary>
public sealed class StaleEpochException : InvalidOperationException
{
    public StaleEpochException()
    {
    }

    public StaleEpochException(string message)
        : base(message)
    {
    }

    public StaleEpochException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
