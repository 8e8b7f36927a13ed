using System.CommandLine;
using OrleansKb.Client;
using OrleansKb.Hosting;

namespace OrleansKb.Cli;

/// <summary>The global options that say which cluster and space a command works on.</summary>
internal sealed class ClusterOptions
{
    public Option<string> Gateway { get; } = new("--gateway")
    {
        Description = "The cluster's gateway, HOST:PORT, or several, comma-separated: any that answers is used, and the others when one fails.",
        DefaultValueFactory = _ => "localhost:30000",
        Recursive = true,
    };

    public Option<string> Redis { get; } = new("--redis")
    {
        Description = "The Redis server of the cluster's membership (HOST:PORT): the gateways are read from it instead of --gateway.",
        Recursive = true,
    };

    public Option<string> ClusterId { get; } = new("--cluster-id")
    {
        Description = "The cluster's id (the silos' ClusterId).",
        DefaultValueFactory = _ => KbCluster.DefaultClusterId,
        Recursive = true,
    };

    public Option<string> TlsCertificate { get; } = new("--tls-certificate")
    {
        Description = "This client's certificate and key (a .pfx file), for a cluster that requires TLS; its password from ORLEANSKB_TLS_PASSWORD.",
        Recursive = true,
    };

    public Option<string> TlsTrusted { get; } = new("--tls-trusted")
    {
        Description = "With --tls-certificate: the certificate the silos' must chain to (a CA's); by default the client's own.",
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
        Description = "Host a silo in this process for the command's duration (no external server); its data is kept where a silo's is, unless --data or --ephemeral says otherwise.",
        Recursive = true,
    };

    public Option<string> Data { get; } = new("--data")
    {
        Description = "With --embedded: the data directory (default: the one a silo uses, " + Persistence.FileSpaceStore.DefaultDirectory + ").",
        Recursive = true,
    };

    public Option<bool> Ephemeral { get; } = new("--ephemeral")
    {
        Description = "Keep the space in memory only: with --embedded, nothing is written to disk; against a cluster, the space is one of the silo's ephemeral spaces.",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Gateway);
        root.Options.Add(Redis);
        root.Options.Add(ClusterId);
        root.Options.Add(TlsCertificate);
        root.Options.Add(TlsTrusted);
        root.Options.Add(Space);
        root.Options.Add(Embedded);
        root.Options.Add(Data);
        root.Options.Add(Ephemeral);
    }

    /// <summary>The space named by <c>--space</c>, checked before anything connects.</summary>
    public string SpaceName(ParseResult parse)
    {
        var name = parse.GetRequiredValue(Space);
        return SpaceNames.Problem(name) is { } problem ? throw new UserError($"--space: {problem}") : name;
    }

    /// <summary>The TLS settings of <c>--tls-certificate</c>, <c>--tls-trusted</c> and <c>ORLEANSKB_TLS_PASSWORD</c> (off without a certificate).</summary>
    public ClusterTls Tls(ParseResult parse) => new()
    {
        CertificateFile = parse.GetValue(TlsCertificate),
        CertificatePassword = Environment.GetEnvironmentVariable("ORLEANSKB_TLS_PASSWORD"),
        TrustedCertificateFile = parse.GetValue(TlsTrusted),
    };

    public async Task<KbCluster> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!parse.GetValue(Embedded))
        {
            if (parse.GetValue(Data) is not null)
            {
                throw new UserError("--data goes with --embedded: a running silo keeps its data where it was started with");
            }

            var tls = Tls(parse);
            return await KbCluster.ConnectAsync(
                new KbConnectOptions
                {
                    Gateways = parse.GetRequiredValue(Gateway),
                    GatewayList = parse.GetValue(Redis) is { Length: > 0 } redis ? new RedisGatewayList(redis) : null,
                    ClusterId = parse.GetRequiredValue(ClusterId),
                    Tls = tls.Enabled ? tls : null,
                },
                cancellationToken);
        }

        try
        {
            return await EmbeddedCluster.StartAsync(parse.GetValue(Data), parse.GetValue(Ephemeral), cancellationToken);
        }
        catch (Persistence.DataDirectoryInUseException e)
        {
            throw new UserError($"{e.Message}; with --embedded, give --data DIR or --ephemeral, or leave out --embedded to work through the running silo");
        }
    }

    /// <summary>Connects, then runs <paramref name="work"/> on the space named by <c>--space</c> (checked first).</summary>
    public async Task<int> OnSpaceAsync(ParseResult parse, Func<KbSpace, Task> work, CancellationToken cancellationToken)
    {
        var name = SpaceName(parse);
        await using var cluster = await ConnectAsync(parse, cancellationToken);

        // Embedded, --ephemeral already keeps the whole silo in memory.
        await work(cluster.Space(name, ephemeral: parse.GetValue(Ephemeral) && !parse.GetValue(Embedded)));
        return 0;
    }
}
