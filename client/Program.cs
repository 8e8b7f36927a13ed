using OrleansKb.Cli;

return OrleansKbCommandLine.Run(args, Console.Out, Console.Error, Console.OpenStandardOutput);
