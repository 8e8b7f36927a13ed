namespace OrleansKb.Spaces;

/// <summary>A match ran out of its <see cref="MatchBudget"/> and was stopped; its cursor is finished.</summary>
public sealed class MatchBudgetExceededException : Exception
{
    public MatchBudgetExceededException()
    {
    }

    public MatchBudgetExceededException(string message)
        : base(message)
    {
    }

    public MatchBudgetExceededException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
