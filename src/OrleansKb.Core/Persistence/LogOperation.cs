namespace OrleansKb.Persistence;

/// <summary>What a log record does to its space.</summary>
public enum LogOperation : byte
{
    /// <summary>Adds the record's atoms.</summary>
    AddFacts = 1,

    /// <summary>Adds the record's atoms, every one a rule <c>(= lhs rhs)</c>, in order.</summary>
    AddRules = 2,

    /// <summary>Removes the record's atoms.</summary>
    Remove = 3,

    /// <summary>Removes every atom (the record holds none).</summary>
    Clear = 4,
}
