namespace OrleansKb.Cli;

/// <summary>A problem with what the user asked for (an argument): reported as one line, exit code 1, no stack trace.</summary>
internal sealed class UserError(string message) : ArgumentException(message);
