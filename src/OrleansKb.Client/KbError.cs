namespace OrleansKb.Client;

/// <summary>A failure as a client reports it: its kind and one line of text (<see cref="KbErrors.Classify"/>).</summary>
public sealed record KbError(KbErrorKind Kind, string Message);
