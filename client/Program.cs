using OrleansKb.Cli;

return await OrleansKbCommandLine.RunAsync(args, Console.Out, Console.Error, Console.OpenStandardOutput, Console.OpenStandardInput);
