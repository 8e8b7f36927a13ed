using System.CommandLine;
using OrleansKb.Client;

namespace OrleansKb.Cli;

/// <summary>The global options that say which cluster and space a command works on.</summary>
internal sealed class ClusterOptions
{
    public Option<string> Gateway { get; } = new("--gateway")
    {
        Description = "The cluster's gateway, HOST:PORT.",
        DefaultValueFactory = _ => "localhost:30000",
        Recursive = true,
    };

    public Option<string> Space { get; } = new("--space")
    {
        Description = "The space to work on.",
        DefaultValueFactory = _ => "default",
        Recursive = true,
    };

    public Option<bool> Embedded { get; } = new("--embedded")
    {
        Description = "Host a silo in this process for the command's duration (no external server).",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Gateway);
        root.Options.Add(Space);
        root.Options.Add(Embedded);
    }

    /// <summary>The space named by <c>--space</c>, checked before anything connects.</summary>
    public string SpaceName(ParseResult parse)
    {
        var name = parse.GetRequiredValue(Space);
        return KbSpace.NameProblem(name) is { } problem ? throw new UserError($"--space: {problem}") : name;
    }

    public Task<KbCluster> ConnectAsync(ParseResult parse, CancellationToken cancellationToken) =>
        parse.GetValue(Embedded)
            ? KbCluster.StartEmbeddedAsync(cancellationToken)
            : KbCluster.ConnectAsync(parse.GetRequiredValue(Gateway), cancellationToken: cancellationToken);

    /// <summary>Connects, then runs <paramref name="work"/> on the space named by <c>--space</c> (checked first).</summary>
    public async Task<int> OnSpaceAsync(ParseResult parse, Func<KbSpace, Task> work, CancellationToken cancellationToken)
    {
        var name = SpaceName(parse);
        await using var cluster = await ConnectAsync(parse, cancellationToken);
        await work(cluster.Space(name));
        return 0;
    }
}
