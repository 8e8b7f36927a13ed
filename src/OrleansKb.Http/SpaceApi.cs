using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Http;

/// <summary>
/// The HTTP API to the spaces (docs/http.md): the command line's operations, through the same client
/// library (<see cref="KbSpace"/>), served by the silo host. Bodies are streamed, never held whole;
/// atoms go out as MeTTa text, one per line, as <c>orleanskb export</c> and <c>match</c> print them;
/// errors are RFC 9457 problem details carrying the command line's messages.
/// </summary>
internal static class SpaceApi
{
    /// <summary>Objects are written as the command line's <c>--json</c> writes them: snake_case keys.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private const string MettaText = "text/plain; charset=utf-8";

    // A match request is read whole to parse it: two atoms as text, which in practice are small.
    private const long MaxMatchRequestBytes = 16L << 20;

    // Written lines are flushed to the client every this many bytes.
    private const int FlushBytes = 64 << 10;

    /// <summary>
    /// Maps <c>/spaces/{space}/…</c>. With an <paramref name="apiKey"/>, every request must carry it as a
    /// bearer token. Add <c>?ephemeral=true</c> to work on the space of that name kept in memory only.
    /// </summary>
    public static RouteGroupBuilder MapSpaceApi(this IEndpointRouteBuilder endpoints, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var spaces = endpoints.MapGroup("/spaces").WithTags("spaces");
        if (apiKey is { Length: > 0 })
        {
            spaces.AddEndpointFilter(new ApiKeyFilter(apiKey));
        }

        spaces.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested && !context.HttpContext.Response.HasStarted)
            {
                if (Problems.StatusFor(e) >= StatusCodes.Status500InternalServerError)
                {
                    HttpLog.RequestFailed(Log(context.HttpContext), e, context.HttpContext.Request.Method, context.HttpContext.Request.Path);
                }

                return Problems.For(e);
            }
        });

        spaces.MapPost("/{space}:repartition", Repartition)
            .Produces<RepartitionReport>()
            .WithSummary("Divides the space anew into ?partitions=N partitions of about equal size, online (as orleanskb repartition).")
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(503);

        spaces.MapPost("/{space}:transform", Transform)
            .AddOpenApiOperationTransformer(RequestBody("application/json", "{\"pattern\": \"(, (parent $p $x) (female $p))\", \"template\": \"(mother $p $x)\", \"into\": null, \"limit\": null, \"fixpoint\": false, \"max_rounds\": 100}"))
            .Produces<string>(StatusCodes.Status200OK, "application/x-ndjson")
            .WithSummary("Derives atoms in the cluster (as orleanskb transform): a JSON line of progress about every second, then the summary (solutions, added, removed, rounds, elapsed_ms, atoms_per_second, stopped). Closing the request stops it; what it reported added stays.")
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(503);

        // Bodies are taken whatever their declared type (curl --data-binary says form data): the
        // document says what they are, the routing does not enforce it.
        var space = spaces.MapGroup("/{space}");
        space.MapPost("/atoms", Load)
            .AddOpenApiOperationTransformer(RequestBody("text/plain", "MeTTa text"))
            .Produces<LoadResponse>()
            .WithSummary("Adds the atoms of MeTTa text (facts and rules); text with an error adds nothing. ?partitions=N divides a new, empty space into N partitions.");
        space.MapPost("/atoms:remove", Remove)
            .AddOpenApiOperationTransformer(RequestBody("text/plain", "MeTTa text"))
            .Produces<RemoveResponse>()
            .WithSummary("Removes the atoms of MeTTa text; text with an error removes nothing.");
        space.MapGet("", Info)
            .Produces<SpaceInfo>()
            .WithSummary("The space's info object (as orleanskb info).");
        space.MapGet("/export", Export)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("Every atom, one per line, in key order, streamed.");
        space.MapPost("/match", Match)
            .AddOpenApiOperationTransformer(RequestBody("application/json", "{\"pattern\": \"(parent $p $x)\", \"template\": \"($x $p)\", \"limit\": 10, \"count\": false}"))
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<CountResponse>(StatusCodes.Status200OK, "application/json")
            .WithSummary("The template for each solution of the pattern, one per line, streamed; with count, the number of solutions.");
        space.MapGet("/rules/{head}/{arity:int}", Rules)
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithSummary("The rules for (head, arity), one per line, in index order.");
        space.MapDelete("", Clear)
            .Produces(StatusCodes.Status204NoContent)
            .WithSummary("Removes every atom of the space.");
        foreach (var status in new[] { 400, 401, 413, 422, 500, 503 })
        {
            space.ProducesProblem(status);
        }

        return space;
    }

    private static Func<OpenApiOperation, OpenApiOperationTransformerContext, CancellationToken, Task> RequestBody(string mediaType, string description) =>
        (operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() },
            };
            return Task.CompletedTask;
        };

    private static ILogger Log(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansKb.Http");

    private static KbSpace Space(HttpContext http, IGrainFactory grains, bool? ephemeral) => KbSpace.Of(grains, PathSegment(http, 1), ephemeral ?? false);

    /// <summary>
    /// Segment <paramref name="index"/> of the request's path (0 is <c>spaces</c>), wholly decoded. The
    /// route's values are not: the server leaves <c>%2F</c> encoded in them, and a name holding <c>/</c>
    /// must mean here what it means to the command line (<c>/spaces/a%2Fb</c> is the space <c>a/b</c>).
    /// </summary>
    private static string PathSegment(HttpContext http, int index)
    {
        var target = http.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var path = target.Split('?')[0];

        // The route matched, so the path holds /spaces/ and the segment.
        var segments = path[path.IndexOf("/spaces/", StringComparison.Ordinal)..].Split('/');
        return Uri.UnescapeDataString(segments[index + 1]);
    }

    private static async Task<IResult> Load(bool? ephemeral, int? partitions, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        // ?partitions=N divides a new, empty space (docs/cluster.md); LoadOptions refuses a count out of range.
        var options = new LoadOptions { Partitions = partitions };
        var result = await Space(request.HttpContext, grains, ephemeral).LoadAsync(LoadSource.Stream(request.Body, "request body", LoadFormat.Metta), options, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Results.Json(new LoadResponse(result.AtomsRead, result.AtomsAdded, result.SpaceCount, result.Elapsed.TotalSeconds), Json);
    }

    private static async Task<IResult> Remove(bool? ephemeral, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var removed = await Space(request.HttpContext, grains, ephemeral).RemoveStreamAsync(request.Body, "request body", cancellationToken).ConfigureAwait(false);
        return Results.Json(new RemoveResponse(removed), Json);
    }

    private static async Task<IResult> Info(bool? ephemeral, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken) =>
        Results.Json(await Space(http, grains, ephemeral).InfoAsync(cancellationToken).ConfigureAwait(false), Json);

    private static async Task<IResult> Repartition(int? partitions, bool? ephemeral, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (partitions is not { } count || count < 1 || count > LoadOptions.MaxPartitions)
        {
            return Problems.Status(StatusCodes.Status400BadRequest, $"?partitions=N is required, N from 1 to {LoadOptions.MaxPartitions:N0}");
        }

        // The segment is the name followed by :repartition.
        var name = PathSegment(http, 1);
        var space = KbSpace.Of(grains, name[..name.LastIndexOf(':')], ephemeral ?? false);
        return Results.Json(await space.RepartitionAsync(count, cancellationToken).ConfigureAwait(false), Json);
    }

    private static async Task<IResult> Transform(bool? ephemeral, HttpContext http, IGrainFactory grains)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Math.Min(limit.MaxRequestBodySize ?? long.MaxValue, MaxMatchRequestBytes);
        }

        var body = await JsonSerializer.DeserializeAsync<TransformBody>(http.Request.Body, Json, http.RequestAborted).ConfigureAwait(false)
            ?? throw new ArgumentException("the transform request must be a JSON object: {\"pattern\": …, \"template\": …}");
        var (pattern, template) = (One(body.Pattern, "pattern"), One(body.Template, "template"));
        var name = PathSegment(http, 1);
        var space = KbSpace.Of(grains, name[..name.LastIndexOf(':')], ephemeral ?? false);
        _ = TransformTemplates.Parse(pattern, template);

        // Progress lines as the silo reports them, then the summary; the request's end stops the transform.
        var lines = Channel.CreateUnbounded<TransformProgress>();
        var timer = Stopwatch.StartNew();
        var run = Task.Run(async () =>
        {
            try
            {
                return await space.TransformAsync(
                    pattern, template, body.Into, body.Limit ?? long.MaxValue, body.Fixpoint, body.MaxRounds ?? KbSpace.DefaultMaxRounds, new ChannelProgress(lines.Writer), cancellationToken: http.RequestAborted).ConfigureAwait(false);
            }
            finally
            {
                lines.Writer.Complete();
            }
        });

        http.Response.ContentType = "application/x-ndjson";
        await foreach (var progress in lines.Reader.ReadAllAsync(http.RequestAborted).ConfigureAwait(false))
        {
            await http.Response.WriteAsync(JsonSerializer.Serialize(progress, Json) + "\n", http.RequestAborted).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }

        var summary = TransformSummary.Of(await run.ConfigureAwait(false), timer.Elapsed);
        await http.Response.WriteAsync(JsonSerializer.Serialize(summary, Json) + "\n", http.RequestAborted).ConfigureAwait(false);
        return Results.Empty;
    }

    /// <summary>A transform's progress, passed on to the lines of its answer.</summary>
    private sealed class ChannelProgress(ChannelWriter<TransformProgress> lines) : IProgress<TransformProgress>
    {
        public void Report(TransformProgress value) => lines.TryWrite(value);
    }

    private static Task<IResult> Export(bool? ephemeral, HttpContext http, IGrainFactory grains) =>
        Lines(http, Space(http, grains, ephemeral).ExportAsync(http.RequestAborted));

    private static Task<IResult> Rules(int arity, bool? ephemeral, HttpContext http, IGrainFactory grains) =>
        arity < 0
            ? Task.FromResult(Problems.Status(StatusCodes.Status400BadRequest, $"arity must be 0 or more, not {arity}"))
            : Lines(http, Space(http, grains, ephemeral).MatchingRulesAsync(PathSegment(http, 3), arity, http.RequestAborted));

    private static async Task<IResult> Match(bool? ephemeral, HttpContext http, IGrainFactory grains)
    {
        // The request is read whole to parse it: refused (413) past MaxMatchRequestBytes.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = Math.Min(limit.MaxRequestBodySize ?? long.MaxValue, MaxMatchRequestBytes);
        }

        var body = await JsonSerializer.DeserializeAsync<MatchBody>(http.Request.Body, Json, http.RequestAborted).ConfigureAwait(false)
            ?? throw new ArgumentException("the match request must be a JSON object: {\"pattern\": …, \"template\": …, \"limit\": …}");
        var pattern = One(body.Pattern, "pattern");
        var most = body.Limit ?? long.MaxValue;
        if (most < 0)
        {
            throw new ArgumentException("limit must not be negative");
        }

        // The silo's budget counts the space's computing; this request is bounded in time and bytes too.
        var bounds = http.RequestServices.GetRequiredService<IOptions<HttpMatchOptions>>().Value;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(bounds.MaxSeconds));
        var target = Space(http, grains, ephemeral);
        if (body.Count)
        {
            try
            {
                return Results.Json(new CountResponse(await target.MatchCountAsync(pattern, most, deadline.Token).ConfigureAwait(false)), Json);
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                throw TooLong(bounds);
            }
        }

        var template = One(body.Template, "template");
        return await Lines(http, WithinTime(target.MatchAsync(pattern, template, most, deadline.Token), bounds, http.RequestAborted), bounds.MaxBytes).ConfigureAwait(false);
    }

    /// <summary>The atoms of a match until it has run longer than <see cref="HttpMatchOptions.MaxSeconds"/>, when it stops as the silo's budget stops one.</summary>
    private static async IAsyncEnumerable<Atom> WithinTime(IAsyncEnumerable<Atom> atoms, HttpMatchOptions bounds, [EnumeratorCancellation] CancellationToken requestAborted)
    {
        var items = atoms.GetAsyncEnumerator(requestAborted);
        await using (items.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
                {
                    throw TooLong(bounds);
                }

                yield return items.Current;
            }
        }
    }

    private static MatchFailedException TooLong(HttpMatchOptions bounds) =>
        new(string.Create(CultureInfo.InvariantCulture, $"the match ran longer than the {bounds.MaxSeconds:N0} s the HTTP API gives one request (HttpMatch:MaxSeconds)"));

    private static async Task<IResult> Clear(bool? ephemeral, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        await Space(http, grains, ephemeral).ClearAsync(cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static Atom One(string? text, string what)
    {
        if (text is null)
        {
            throw new ArgumentException($"the match request needs a {what} (MeTTa text)");
        }

        var atoms = MettaReader.Parse(text, what);
        return atoms.Count == 1 ? atoms[0] : throw new ArgumentException($"{what} must be exactly one atom, not {atoms.Count}");
    }

    /// <summary>
    /// Writes atoms as lines. Whatever fails before the first atom is a problem response; a failure
    /// after the response has begun aborts the connection, so a client can never take the lines it got
    /// for the whole answer.
    /// </summary>
    private static async Task<IResult> Lines(HttpContext http, IAsyncEnumerable<Atom> atoms, long maxBytes = long.MaxValue)
    {
        var cancellationToken = http.RequestAborted;
        var items = atoms.GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            var more = await items.MoveNextAsync().ConfigureAwait(false);
            http.Response.ContentType = MettaText;
            var output = http.Response.BodyWriter;
            long sent = 0;
            try
            {
                while (more)
                {
                    MettaPrinter.WriteLine(items.Current, output);
                    if (sent + output.UnflushedBytes > maxBytes)
                    {
                        // Past its bytes, an answer stops as one stopped by the silo's budget does.
                        throw new MatchFailedException(string.Create(CultureInfo.InvariantCulture, $"the answer grew past the {maxBytes:N0} bytes the HTTP API sends for one match (HttpMatch:MaxBytes)"));
                    }

                    var next = items.MoveNextAsync();

                    // What is written goes out when the next line has to wait for the space (a
                    // sparse match keeps the connection alive and the client reading), or in blocks.
                    if (!next.IsCompleted || output.UnflushedBytes >= FlushBytes)
                    {
                        sent += output.UnflushedBytes;
                        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }

                    more = await next.ConfigureAwait(false);
                }

                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                HttpLog.AnswerAborted(Log(http), e, http.Request.Method, http.Request.Path);
                http.Abort();
            }
        }

        return Results.Empty;
    }
}
