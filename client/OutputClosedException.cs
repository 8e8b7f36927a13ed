namespace OrleansKb.Cli;

/// <summary>Standard output was closed by its reader (a pipe whose other end exited): the command stops quietly, as Unix tools do on SIGPIPE.</summary>
internal sealed class OutputClosedException(Exception inner) : IOException("standard output was closed", inner);
