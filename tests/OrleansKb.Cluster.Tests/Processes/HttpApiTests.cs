using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansKb.Tests;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// The silo's HTTP API as a client in any language sees it: what a load does to the metrics, and the
/// clear problem — with nothing changed — that bad requests get. (The Python client's tests load,
/// match and export through it beside the command line.)
/// </summary>
[Collection(SharedSiloProcess.Name)]
public sealed partial class HttpApiTests(SiloProcessFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static string NewSpace() => $"http-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_load_moves_the_metrics_and_health_says_the_silo_is_ready()
    {
        var health = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"Healthy\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var before = await Metrics();
        var space = NewSpace();
        var loaded = await Post($"/spaces/{space}/atoms", TestData.ReadText("aunt-kg/royal92_simple.metta"));
        Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        var added = JsonDocument.Parse(await loaded.Content.ReadAsStringAsync()).RootElement.GetProperty("atoms_added").GetInt64();
        Assert.Equal(11_809, added);
        var count = await Post($"/spaces/{space}/match", """{"pattern": "(parent $p $x)", "count": true}""");
        Assert.Equal(2_810, JsonDocument.Parse(await count.Content.ReadAsStringAsync()).RootElement.GetProperty("count").GetInt64());

        var after = await Metrics();
        Assert.Equal(added, Value(after, "orleanskb_atoms_added_total") - Value(before, "orleanskb_atoms_added_total"));
        Assert.True(Value(after, "orleanskb_batches_total") > Value(before, "orleanskb_batches_total"));
        Assert.True(Value(after, "orleanskb_log_flush_duration_seconds_count") > Value(before, "orleanskb_log_flush_duration_seconds_count"));
        Assert.True(Value(after, "orleanskb_match_results_total") - Value(before, "orleanskb_match_results_total") >= 2_810);
        Assert.True(Value(after, "orleanskb_space_call_duration_seconds_count") > Value(before, "orleanskb_space_call_duration_seconds_count"));
        Assert.Equal(Value(after, "orleanskb_batches_total") - Value(before, "orleanskb_batches_total"), Value(after, "orleanskb_space_turn_duration_seconds_count") - Value(before, "orleanskb_space_turn_duration_seconds_count"));

        // Orleans' own meter is served beside ours.
        Assert.Contains("orleans_", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_get_a_clear_problem_and_change_nothing()
    {
        var space = NewSpace();
        Assert.Equal(HttpStatusCode.OK, (await Post($"/spaces/{space}/atoms", "(kept 1)\n(kept 2)\n")).StatusCode);
        var exported = await (await Http.GetAsync(new Uri($"/spaces/{space}/export", UriKind.Relative))).Content.ReadAsStringAsync();
        Assert.Equal("(kept 1)\n(kept 2)\n", exported);

        // A syntax error on line 3: named with its line and column, as the command line names it.
        var syntax = await Problem(await Post($"/spaces/{space}/atoms", "(parent a b)\n(parent c d)\n(parent e"), HttpStatusCode.BadRequest);
        Assert.StartsWith("request body:3:1: ", syntax.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, syntax.GetProperty("line").GetInt64());

        // Random bytes, as atoms and as a match request.
        var random = new byte[64 << 10];
        new Random(12).NextBytes(random);
        await Problem(await Http.PostAsync(new Uri($"/spaces/{space}/atoms", UriKind.Relative), new ByteArrayContent(random)), HttpStatusCode.BadRequest);
        await Problem(await Http.PostAsync(new Uri($"/spaces/{space}/atoms:remove", UriKind.Relative), new ByteArrayContent(random)), HttpStatusCode.BadRequest);
        var json = await Problem(await Http.PostAsync(new Uri($"/spaces/{space}/match", UriKind.Relative), new ByteArrayContent(random)), HttpStatusCode.BadRequest);
        Assert.Contains("JSON", json.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // An atom over the 64 MiB limit, after a good one: refused whole, where it starts.
        var oversized = await Problem(await Post($"/spaces/{space}/atoms", "(fine 1)\n(big \"" + new string('x', (64 << 20) + 16) + "\")\n"), HttpStatusCode.BadRequest);
        Assert.Equal("request body:2:1: this atom encodes to more than 67,108,864 bytes, the limit for one atom", oversized.GetProperty("detail").GetString());

        // A body over the silo's HttpMaxBodyBytes: refused on its length, before it is sent (a
        // client that sends it anyway sees the connection closed after the answer).
        // The client waits for the answer to its Expect as long as the silo may take on a busy machine
        // (HttpClient sends the body after 1 s by default).
        using (var patient = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(60) }) { BaseAddress = Http.BaseAddress })
        using (var tooLarge = new HttpRequestMessage(HttpMethod.Post, new Uri($"/spaces/{space}/atoms", UriKind.Relative)) { Content = new ByteArrayContent(new byte[SiloProcessFixture.HttpMaxBodyBytes + 1]) })
        {
            tooLarge.Headers.ExpectContinue = true;
            tooLarge.Headers.Authorization = Http.DefaultRequestHeaders.Authorization;
            var refused = await Problem(await patient.SendAsync(tooLarge), HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains("too large", refused.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        // No key, and the wrong key.
        using var anonymous = new HttpClient { BaseAddress = Http.BaseAddress };
        var missing = await Problem(await anonymous.PostAsync(new Uri($"/spaces/{space}/atoms", UriKind.Relative), new StringContent("(stranger 1)")), HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        await Problem(await anonymous.DeleteAsync(new Uri($"/spaces/{space}", UriKind.Relative)), HttpStatusCode.Unauthorized);

        // A match that is not one atom, and a name that is not a space's.
        await Problem(await Post($"/spaces/{space}/match", """{"pattern": "(a) (b)", "template": "x"}"""), HttpStatusCode.BadRequest);
        await Problem(await Http.GetAsync(new Uri("/spaces/%20%20", UriKind.Relative)), HttpStatusCode.BadRequest);

        var info = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"/spaces/{space}", UriKind.Relative))).RootElement;
        Assert.Equal(2, info.GetProperty("atoms").GetInt64());
        Assert.Equal(exported, await Http.GetStringAsync(new Uri($"/spaces/{space}/export", UriKind.Relative)));
    }

    [Fact]
    public async Task Remove_rules_clear_and_the_openapi_document()
    {
        var space = NewSpace();
        await Post($"/spaces/{space}/atoms", "(parent Tom Bob) (parent Bob Liz) (= (grand $x) (parent $x $y))");
        var removed = await Post($"/spaces/{space}/atoms:remove", "(parent Tom Bob) (parent Nobody Here)");
        Assert.Equal(1, JsonDocument.Parse(await removed.Content.ReadAsStringAsync()).RootElement.GetProperty("removed").GetInt64());
        Assert.Equal("(= (grand $x0) (parent $x0 $x1))\n", await Http.GetStringAsync(new Uri($"/spaces/{space}/rules/grand/1", UriKind.Relative)));
        Assert.Equal("Liz\n", await (await Post($"/spaces/{space}/match", """{"pattern": "(parent Bob $c)", "template": "$c"}""")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(new Uri($"/spaces/{space}", UriKind.Relative))).StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await Http.GetStringAsync(new Uri($"/spaces/{space}", UriKind.Relative))).RootElement.GetProperty("atoms").GetInt64());

        var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/openapi.json", UriKind.Relative))).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/spaces/{space}", "/spaces/{space}/atoms", "/spaces/{space}/atoms:remove", "/spaces/{space}/export", "/spaces/{space}/match", "/spaces/{space}/rules/{head}/{arity}" })
        {
            Assert.True(document.TryGetProperty(path, out _), path);
        }
    }

    [Fact]
    public async Task A_match_stopped_by_its_budget_part_way_breaks_the_answer_instead_of_ending_it()
    {
        var space = NewSpace();
        await Post($"/spaces/{space}/atoms", TestData.ReadText("aunt-kg/royal92_simple.metta"));
        const string Runaway = """{"pattern": "(, (parent $a $b) (parent $c $d) (female $e))", "template": "$e"}""";

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/spaces/{space}/match", UriKind.Relative)) { Content = new StringContent(Runaway) };
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        long lines = 0;
        var broken = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync() is not null)
            {
                lines++;
            }
        });

        // The silo's budget (Match:MaxSolutions) stops it after that many results: the client gets them,
        // then a broken answer — never one that ends as if it were whole.
        Assert.NotNull(broken);
        Assert.True(lines is > 0 and <= SiloProcessFixture.MaxSolutions, $"{lines} lines, then {broken}");
    }

    [Fact]
    public async Task A_slash_encoded_in_a_space_name_is_part_of_the_name_as_on_the_command_line()
    {
        var name = $"{NewSpace()}/inner";
        var path = $"/spaces/{Uri.EscapeDataString(name)}";

        Assert.Equal(HttpStatusCode.OK, (await Post($"{path}/atoms", "(slashed 1)")).StatusCode);

        // It was the space 'http-…%2Finner', which the command line cannot name.
        var info = JsonDocument.Parse(await Http.GetStringAsync(new Uri(path, UriKind.Relative))).RootElement;
        Assert.Equal(name, info.GetProperty("space").GetString());
        Assert.Equal("(slashed 1)\n", await Http.GetStringAsync(new Uri($"{path}/export", UriKind.Relative)));
    }

    [Fact]
    public async Task A_match_request_is_bounded_in_bytes_and_in_time_not_only_by_the_silos_budget()
    {
        // A budget in solutions the runaway never reaches, and a minute of computing: before these
        // bounds, one such match streamed 2.28 GB over 173 s.
        var httpPort = SiloProcess.FreePort();
        using var silo = SiloProcess.Start(
            new Dictionary<string, string>
            {
                ["HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
                ["Match:MaxSolutions"] = long.MaxValue.ToString(CultureInfo.InvariantCulture),
                ["HttpMatch:MaxSeconds"] = "10",
                ["HttpMatch:MaxBytes"] = (1 << 20).ToString(CultureInfo.InvariantCulture),
            },
            heapLimitBytes: 512L << 20);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(120) };
        var space = NewSpace();
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(new Uri($"/spaces/{space}/atoms", UriKind.Relative), new StringContent(TestData.ReadText("aunt-kg/royal92_simple.metta")))).StatusCode);
        var match = new Uri($"/spaces/{space}/match", UriKind.Relative);

        // Bytes: the answer breaks before it passes 1 MiB (read up to 4 MiB, to fail fast without the bound).
        long bytes = 0;
        var broken = await Record.ExceptionAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, match) { Content = new StringContent("""{"pattern": "(, (parent $a $b) (parent $c $d) (female $e))", "template": "(x $a $b $c $d $e)"}""") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (bytes <= 4 << 20 && await reader.ReadLineAsync() is { } line)
            {
                bytes += Encoding.UTF8.GetByteCount(line) + 1;
            }
        });
        Assert.NotNull(broken);
        Assert.True(bytes is > 0 and <= 1 << 20, $"{bytes} bytes, then {broken}");
        Assert.True(await Poll.Until(() => Task.FromResult(silo.Log.Contains("HttpMatch:MaxBytes", StringComparison.Ordinal)), 10), silo.Log);

        // Time: a count the budget would let compute for a minute ends after 10 s, as a stopped match.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var count = await Problem(await http.PostAsync(match, new StringContent("""{"pattern": "(, (parent $a $b) (parent $c $d) (female $e))", "count": true}""")), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("the match ran longer than the 10 s the HTTP API gives one request (HttpMatch:MaxSeconds)", count.GetProperty("detail").GetString());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(40), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_damaged_space_answers_500_naming_the_damage_not_503()
    {
        var data = Directory.CreateTempSubdirectory("orleanskb-damaged-").FullName;
        try
        {
            var space = NewSpace();
            using (var silo = StartWithHttp(data, out var before))
            {
                Assert.Equal(HttpStatusCode.OK, (await before.PostAsync(new Uri($"/spaces/{space}/atoms", UriKind.Relative), new StringContent(TestData.ReadText("aunt-kg/simpsons.metta")))).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await before.PostAsync(new Uri($"/spaces/{space}/atoms", UriKind.Relative), new StringContent("(after 1)"))).StatusCode);
                before.Dispose();
                silo.Kill();
            }

            // One byte of the first record flipped, with records after it: damage, not a torn tail.
            var segment = Directory.GetFiles(Path.Combine(data, "spaces", space), "log-*.seg").Single();
            var bytes = await File.ReadAllBytesAsync(segment);
            bytes[100] ^= 0x10;
            await File.WriteAllBytesAsync(segment, bytes);

            using var restarted = StartWithHttp(data, out var after);
            using (after)
            {
                // 503 said "cannot serve this now", inviting retries of what waiting will not heal.
                var damaged = await Problem(await after.GetAsync(new Uri($"/spaces/{space}", UriKind.Relative)), HttpStatusCode.InternalServerError);
                Assert.Equal("urn:orleanskb:problem:space-damaged", damaged.GetProperty("type").GetString());
                Assert.EndsWith($"{segment}: the record at offset 8 fails its checksum", damaged.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task The_Orleans_Dashboard_is_served_when_it_is_on()
    {
        using var anonymous = new HttpClient { BaseAddress = Http.BaseAddress };
        var page = await anonymous.GetAsync(new Uri("/dashboard/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>Orleans Dashboard</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_says_not_ready_while_the_store_cannot_open_spaces()
    {
        // A PostgreSQL store whose server is not there: the silo starts, but cannot open a space.
        var port = SiloProcess.FreePort();
        var httpPort = SiloProcess.FreePort();
        using var silo = SiloProcess.Start(
            new Dictionary<string, string>
            {
                ["Store"] = "Postgres",
                ["PostgresConnection"] = $"Host=127.0.0.1;Port={port};Username=nobody;Database=nothing;Timeout=2",
                ["HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
            },
            heapLimitBytes: 512L << 20);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };

        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        Assert.StartsWith("the store cannot open spaces: postgres 127.0.0.1:", report.GetProperty("checks").GetProperty("silo").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A silo of its own serving the HTTP API (no key) on <paramref name="dataDirectory"/>, and a client of it.</summary>
    private static SiloProcess StartWithHttp(string dataDirectory, out HttpClient client)
    {
        var port = SiloProcess.FreePort();
        var silo = SiloProcess.Start(new Dictionary<string, string> { ["HttpPort"] = port.ToString(CultureInfo.InvariantCulture) }, 512L << 20, dataDirectory);
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        return silo;
    }

    private Task<HttpResponseMessage> Post(string path, string body) =>
        Http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "text/plain"));

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem.Clone();
    }

    private Task<string> Metrics() => Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    /// <summary>The sum of a metric's series in Prometheus text.</summary>
    private static double Value(string metrics, string name) =>
        Series().Matches(metrics).Where(m => m.Groups["name"].Value == name).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{[^}]*\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Series();
}
