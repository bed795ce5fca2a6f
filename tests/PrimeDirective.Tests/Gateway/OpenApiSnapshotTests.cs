using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Gateway;

/// <summary>
/// The HTTP contract is reviewed as a file: <c>docs/openapi.json</c> is the document the gateway serves, so a change that
/// leaks into the HTTP schema (a grain contract's new field, a renamed route) shows up in the diff of a pull request.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class OpenApiSnapshotTests(SharedService service)
{
    /// <summary>Set to <c>1</c> to rewrite the committed document from the served one (then review and commit the diff).</summary>
    public const string UpdateVariable = "PD_UPDATE_OPENAPI";

    // Relaxed escaping: the file is read by people in review (an apostrophe stays an apostrophe).
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task The_served_document_is_the_committed_docs_openapi_json()
    {
        var served = Normalized(JsonNode.Parse(await service.Http.GetStringAsync("/openapi/v1.json"))!);
        var path = Path.Combine(RepositoryPaths.Root(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(path, served.ToJsonString(s_indented) + "\n");
        }

        var how = $"Regenerate it with {UpdateVariable}=1 dotnet test tests/PrimeDirective.Tests --filter FullyQualifiedName~OpenApiSnapshotTests, review the diff, and commit docs/openapi.json.";
        Assert.True(File.Exists(path), $"docs/openapi.json is missing. {how}");
        var committed = Normalized(JsonNode.Parse(await File.ReadAllTextAsync(path))!);
        var difference = FirstDifference(committed, served, "$");
        Assert.True(difference is null, $"The served OpenAPI document differs from docs/openapi.json at {difference}. {how}");
    }

    [Fact]
    public void The_comparison_sees_a_changed_value_and_ignores_key_order_and_servers()
    {
        var document = JsonNode.Parse("""{"paths":{"/a":{"get":{"summary":"x"}}},"servers":[{"url":"http://127.0.0.1:1"}]}""")!;
        var reordered = JsonNode.Parse("""{"servers":[{"url":"http://127.0.0.1:2"}],"paths":{"/a":{"get":{"summary":"x"}}}}""")!;
        var changed = JsonNode.Parse("""{"paths":{"/a":{"get":{"summary":"y"}}}}""")!;

        Assert.Null(FirstDifference(Normalized(document), Normalized(reordered), "$"));
        Assert.Equal("$.paths./a.get.summary", FirstDifference(Normalized(document), Normalized(changed), "$"));
    }

    /// <summary>
    /// The document without what depends on the host that served it (<c>servers</c>: the test's random port), with every
    /// object's keys in ordinal order, so the committed file reads the same whatever order a framework version emits.
    /// </summary>
    private static JsonNode Normalized(JsonNode document)
    {
        var copy = Sorted(document)!;
        copy.AsObject().Remove("servers");
        return copy;
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => KeyValuePair.Create(pair.Key, Sorted(pair.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Sorted)]),
        _ => node?.DeepClone(),
    };

    /// <summary>The JSON path of the first place where <paramref name="expected"/> and <paramref name="actual"/> differ, or <c>null</c>.</summary>
    private static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (JsonObject left, JsonObject right):
                foreach (var key in left.Select(pair => pair.Key).Union(right.Select(pair => pair.Key)).Order(StringComparer.Ordinal))
                {
                    if (!left.ContainsKey(key) || !right.ContainsKey(key))
                    {
                        return $"{path}.{key} ({(left.ContainsKey(key) ? "no longer served" : "not in the committed file")})";
                    }

                    if (FirstDifference(left[key], right[key], $"{path}.{key}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case (JsonArray left, JsonArray right):
                for (var index = 0; index < Math.Max(left.Count, right.Count); index++)
                {
                    if (index >= left.Count || index >= right.Count)
                    {
                        return $"{path}[{index}] (arrays of {left.Count} and {right.Count} items)";
                    }

                    if (FirstDifference(left[index], right[index], $"{path}[{index}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : path;
        }
    }
}
