using System.Net;
using System.Text;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Clusters;

/// <summary>Every bad input gets the right status as problem details, and the database is unchanged afterwards.</summary>
[Collection(TestCollections.SharedService)]
public sealed class BadInputTests(SharedService service) : IAsyncLifetime
{
    private const string Ok = "ct_hosts=1&ct_running_jobs=1&ct_running_apps=1&ct_running_formations=1";

    private readonly string _cluster = Flynn.NewId();
    private readonly string _bootstrap = Flynn.NewId();

    public sealed record BadInput(string Name, string Method, string Path, string? ContentType, string? Body, bool Proof, bool WrongProof, HttpStatusCode Expected, bool Chunked = false)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<BadInput> BadInputs()
    {
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100);
        var huge = "{\"bootstrapId\":\"" + new string('x', 70 * 1024) + "\"}";
        var manyMetrics = "{" + string.Join(',', Enumerable.Range(0, 101).Select(i => $"\"m{i}\":1")) + "}";
        string Report(string usage = "{\"hosts\":1}", string bootstrap = "{bootstrap}", string reportId = "r1") =>
            $"{{\"bootstrapId\":\"{bootstrap}\",\"version\":\"v1\",\"reportId\":\"{reportId}\",\"usage\":{usage}}}";
        const string json = "application/json";
        const string reports = "/v1/clusters/{cluster}/reports";
        return new TheoryData<BadInput>
        {
            new("scheduler: missing id_cluster", "GET", $"/measure/scheduler?{Ok}&id_version=v1&id_bootstrap={{bootstrap}}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: id_cluster not a UUID", "GET", $"/measure/scheduler?{Ok}&id_version=v1&id_bootstrap={{bootstrap}}&id_cluster=not-a-uuid", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: id_cluster given twice", "GET", $"/measure/scheduler?{Ok}&id_version=v1&id_bootstrap={{bootstrap}}&id_cluster={{cluster}}&id_cluster={{fresh}}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: missing id_bootstrap", "GET", $"/measure/scheduler?{Ok}&id_version=v1&id_cluster={{fresh}}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: empty id_version", "GET", $"/measure/scheduler?{Ok}&id_version=&id_bootstrap={{bootstrap}}&id_cluster={{fresh}}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: negative count", "GET", "/measure/scheduler?ct_hosts=-1&ct_running_jobs=1&ct_running_apps=1&ct_running_formations=1&id_version=v1&id_bootstrap={bootstrap}&id_cluster={fresh}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: overflowing count", "GET", "/measure/scheduler?ct_hosts=1&ct_running_jobs=99999999999999999999&ct_running_apps=1&ct_running_formations=1&id_version=v1&id_bootstrap={bootstrap}&id_cluster={fresh}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: fractional count", "GET", "/measure/scheduler?ct_hosts=1&ct_running_jobs=1&ct_running_apps=1.5&ct_running_formations=1&id_version=v1&id_bootstrap={bootstrap}&id_cluster={fresh}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: missing count", "GET", "/measure/scheduler?ct_running_jobs=1&ct_running_apps=1&ct_running_formations=1&id_version=v1&id_bootstrap={bootstrap}&id_cluster={fresh}", null, null, false, false, HttpStatusCode.BadRequest),
            new("scheduler: unknown region", "GET", $"/mars/measure/scheduler?{Ok}&id_version=v1&id_bootstrap={{bootstrap}}&id_cluster={{fresh}}", null, null, false, false, HttpStatusCode.NotFound),
            new("report: cluster id not a UUID", "POST", "/v1/clusters/12345/reports", json, Report(), false, false, HttpStatusCode.BadRequest),
            new("report: unknown region", "POST", "/mars" + reports, json, Report(), false, false, HttpStatusCode.NotFound),
            new("report: text/plain", "POST", reports, "text/plain", Report(), false, false, HttpStatusCode.UnsupportedMediaType),
            new("report: no content type", "POST", reports, null, Report(), false, false, HttpStatusCode.UnsupportedMediaType),
            new("report: malformed JSON", "POST", reports, json, "{\"bootstrapId\": ", false, false, HttpStatusCode.BadRequest),
            new("report: deeply nested JSON", "POST", reports, json, nested, false, false, HttpStatusCode.BadRequest),
            new("report: body over 64 KiB", "POST", reports, json, huge, false, false, HttpStatusCode.RequestEntityTooLarge),
            new("report: body over 64 KiB, chunked", "POST", reports, json, huge, false, false, HttpStatusCode.RequestEntityTooLarge, Chunked: true),
            new("report: array instead of object", "POST", reports, json, "[1,2,3]", false, false, HttpStatusCode.BadRequest),
            new("report: missing bootstrapId", "POST", reports, json, "{\"version\":\"v1\",\"reportId\":\"r1\"}", false, false, HttpStatusCode.BadRequest),
            new("report: duplicated property", "POST", reports, json, "{\"bootstrapId\":\"{bootstrap}\",\"bootstrapId\":\"{bootstrap}\",\"version\":\"v1\",\"reportId\":\"r1\"}", false, false, HttpStatusCode.BadRequest),
            new("report: usage not an object", "POST", reports, json, Report(usage: "[1]"), false, false, HttpStatusCode.BadRequest),
            new("report: bootstrapId not a UUID", "POST", reports, json, Report(bootstrap: "abc"), false, false, HttpStatusCode.UnprocessableEntity),
            new("report: non-finite number", "POST", reports, json, Report(usage: "{\"hosts\":1e400}"), false, false, HttpStatusCode.UnprocessableEntity),
            new("report: metric value a string", "POST", reports, json, Report(usage: "{\"hosts\":\"NaN\"}"), false, false, HttpStatusCode.UnprocessableEntity),
            new("report: over-long metric name", "POST", reports, json, Report(usage: $"{{\"{new string('m', 65)}\":1}}"), false, false, HttpStatusCode.UnprocessableEntity),
            new("report: too many metrics", "POST", reports, json, Report(usage: manyMetrics), false, false, HttpStatusCode.UnprocessableEntity),
            new("report: reportId with spaces", "POST", reports, json, Report(reportId: "a b"), false, false, HttpStatusCode.UnprocessableEntity),
            new("access: wrong proof", "GET", "/v1/clusters/{cluster}", null, null, false, true, HttpStatusCode.NotFound),
            new("access: missing proof", "GET", "/v1/clusters/{cluster}", null, null, false, false, HttpStatusCode.NotFound),
            new("access: unknown region", "GET", "/mars/v1/clusters/{cluster}", null, null, true, false, HttpStatusCode.NotFound),
            new("access: cluster id not a UUID", "GET", "/v1/clusters/zzz", null, null, true, false, HttpStatusCode.BadRequest),
            new("telemetry: wrong proof", "PUT", "/v1/clusters/{cluster}/telemetry", json, "{\"disabled\":true,\"purge\":true}", false, true, HttpStatusCode.NotFound),
            new("telemetry: disabled missing", "PUT", "/v1/clusters/{cluster}/telemetry", json, "{\"purge\":true}", true, false, HttpStatusCode.BadRequest),
            new("telemetry: disabled not a boolean", "PUT", "/v1/clusters/{cluster}/telemetry", json, "{\"disabled\":\"yes\"}", true, false, HttpStatusCode.BadRequest),
            new("telemetry: wrong content type", "PUT", "/v1/clusters/{cluster}/telemetry", "application/xml", "<disabled/>", true, false, HttpStatusCode.UnsupportedMediaType),
            new("erasure: wrong proof", "POST", "/v1/clusters/{cluster}/erasure", null, null, false, true, HttpStatusCode.NotFound),
            new("erasure: missing proof", "POST", "/v1/clusters/{cluster}/erasure", null, null, false, false, HttpStatusCode.NotFound),
            new("unknown route", "GET", "/v1/nothing-here", null, null, false, false, HttpStatusCode.NotFound),
        };
    }

    public async Task InitializeAsync()
    {
        // A known cluster, so wrong proofs are tested against something that exists.
        using var seed = await service.Http.SendAsync(Flynn.SchedulerReport(_cluster, _bootstrap, forwardedFor: "203.0.113.40"));
        Assert.Equal(HttpStatusCode.OK, seed.StatusCode);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_a_problem_and_changes_nothing(BadInput bad)
    {
        var fresh = Flynn.NewId();
        string Fill(string text) => text.Replace("{cluster}", _cluster, StringComparison.Ordinal)
            .Replace("{bootstrap}", _bootstrap, StringComparison.Ordinal)
            .Replace("{fresh}", fresh, StringComparison.Ordinal);

        var before = await FingerprintAsync();
        using var request = new HttpRequestMessage(new HttpMethod(bad.Method), Fill(bad.Path));
        if (bad.Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(Fill(bad.Body));
            HttpContent content = bad.Chunked ? new StreamContent(new NonSeekableStream(bytes)) : new ByteArrayContent(bytes);
            if (bad.ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", bad.ContentType);
            }

            request.Content = content;
        }

        if (bad.Proof || bad.WrongProof)
        {
            request.Headers.Add("X-Flynn-Bootstrap-Id", bad.WrongProof ? Flynn.NewId() : _bootstrap);
        }

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(bad.Expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(response);
        Assert.Equal((int)bad.Expected, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["type"]));
        Assert.Equal(before, await FingerprintAsync());
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(fresh));

        // The known cluster is still exactly as it was.
        using var check = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{_cluster}", _bootstrap));
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
    }

    /// <summary>The whole grain-state table (the shared collection runs its tests one at a time).</summary>
    private Task<string?> FingerprintAsync() => service.Database.ScalarAsync<string>(
        "select count(*)::text || ':' || coalesce(md5(string_agg(encode(coalesce(payload_binary, ''::bytea), 'hex') || version::text, ',' order by grain_id_extension_string, grain_type_string)), '') from grain_state");

    /// <summary>A body of unknown length, so it is sent chunked and only the server's read limit can stop it.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
