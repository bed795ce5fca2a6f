using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrimeDirective.Tests.Infrastructure;

public static class Json
{
    public static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public static StringContent Raw(string text, string? mediaType = "application/json")
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = mediaType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonNode>())!;

    /// <summary>A JSON report for the reports route.</summary>
    public static object Report(string bootstrapId, string reportId, double hosts = 3) => new
    {
        bootstrapId,
        version = Flynn.Version,
        reportId,
        usage = new Dictionary<string, double> { ["hosts"] = hosts, ["running_jobs"] = 7 },
        performance = new Dictionary<string, double> { ["scheduler_loop_ms"] = 12.5 },
        configuration = new Dictionary<string, double> { ["tls_enabled"] = 1 },
    };
}
