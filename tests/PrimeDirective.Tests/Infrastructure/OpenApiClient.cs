using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// A client that knows the service only through its OpenAPI document: every request it sends is one the document
/// describes (route, parameters, security, a body its schema accepts), and every answer must be a documented status
/// whose schema accepts the body. So a passing call proves the document is usable, not just well-formed.
/// </summary>
public sealed class OpenApiClient(HttpClient http, OpenApiDocument document)
{
    public OpenApiDocument Document { get; } = document;

    /// <summary>Reads <c>/openapi/v1.json</c> with Microsoft.OpenApi's reader; errors and warnings fail the test.</summary>
    public static async Task<OpenApiClient> LoadAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var read = await OpenApiDocument.LoadAsync(stream, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Empty(read.Diagnostic?.Warnings ?? []);
        return new OpenApiClient(http, read.Document!);
    }

    /// <summary>The operation at <paramref name="template"/> (as documented, e.g. <c>/v1/clusters/{clusterId}</c>).</summary>
    public OpenApiOperation Operation(HttpMethod method, string template)
    {
        Assert.True(Document.Paths.TryGetValue(template, out var path), $"{template} is not documented");
        Assert.True(path.Operations?.TryGetValue(method, out var operation) == true, $"{method} {template} is not documented");
        return path.Operations![method];
    }

    /// <summary>Sends a documented request and checks the answer against the document; returns the status and body.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(
        HttpMethod method, string template, JsonNode? body = null, IReadOnlyDictionary<string, string>? route = null,
        string? bearer = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var operation = Operation(method, template);
        var path = template;
        foreach (var (name, value) in route ?? new Dictionary<string, string>())
        {
            Assert.Contains(operation.Parameters ?? [], parameter => parameter.Name == name && parameter.In == ParameterLocation.Path);
            path = path.Replace($"{{{name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var schema = operation.RequestBody?.Content?["application/json"].Schema;
            Assert.NotNull(schema);
            Assert.Empty(SchemaCheck.Errors(schema, body));
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (bearer is not null)
        {
            Assert.Contains(operation.Security ?? [], requirement => requirement.Keys.Any(scheme => scheme.Reference.Id == "bearer"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            var scheme = Document.Components?.SecuritySchemes?.Values.FirstOrDefault(scheme => scheme.In == ParameterLocation.Header && scheme.Name == name);
            Assert.True(scheme is not null || operation.Parameters?.Any(parameter => parameter.Name == name) == true, $"header {name} is not documented");
            request.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var documented = operation.Responses?.GetValueOrDefault(status);
        Assert.True(documented is not null, $"{method} {template} answered an undocumented {status}");
        var answer = text.Length == 0 ? null : JsonNode.Parse(text);
        if (answer is not null)
        {
            var mediaType = response.Content.Headers.ContentType!.MediaType!;
            OpenApiMediaType? content = null;
            Assert.True(documented.Content?.TryGetValue(mediaType, out content) == true && content.Schema is not null, $"{status} as {mediaType} is not documented");
            Assert.Empty(SchemaCheck.Errors(content!.Schema!, answer));
        }

        return (response.StatusCode, answer);
    }
}

/// <summary>Checks a JSON value against an OpenAPI 3.1 schema: types, nullability, required and unknown members, enums, items, unions.</summary>
public static class SchemaCheck
{
    public static List<string> Errors(IOpenApiSchema schema, JsonNode? value, string at = "$")
    {
        var errors = new List<string>();
        Check(schema, value, at, errors);
        return errors;
    }

    private static void Check(IOpenApiSchema schema, JsonNode? value, string at, List<string> errors)
    {
        if (schema.OneOf is { Count: > 0 } oneOf && oneOf.Count(option => Errors(option, value, at).Count == 0) != 1)
        {
            errors.Add($"{at}: matches not exactly one of oneOf");
        }

        if (schema.AnyOf is { Count: > 0 } anyOf && !anyOf.Any(option => Errors(option, value, at).Count == 0))
        {
            errors.Add($"{at}: matches none of anyOf");
        }

        foreach (var part in schema.AllOf ?? [])
        {
            Check(part, value, at, errors);
        }

        var kind = value switch
        {
            null => JsonSchemaType.Null,
            JsonObject => JsonSchemaType.Object,
            JsonArray => JsonSchemaType.Array,
            _ => value.GetValueKind() switch
            {
                JsonValueKind.String => JsonSchemaType.String,
                JsonValueKind.Number => double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) % 1 == 0 ? JsonSchemaType.Integer | JsonSchemaType.Number : JsonSchemaType.Number,
                _ => JsonSchemaType.Boolean,
            },
        };
        if (schema.Type is { } type && (type & kind) == 0)
        {
            errors.Add($"{at}: is {kind}, the schema says {type}");
            return;
        }

        if (schema.Enum is { Count: > 0 } values && !values.Any(allowed => JsonNode.DeepEquals(allowed, value)))
        {
            errors.Add($"{at}: is not one of the documented values");
        }

        if (value is JsonObject members)
        {
            foreach (var required in schema.Required ?? new HashSet<string>())
            {
                if (!members.ContainsKey(required))
                {
                    errors.Add($"{at}.{required}: is required");
                }
            }

            foreach (var (name, member) in members)
            {
                if (schema.Properties?.TryGetValue(name, out var property) == true)
                {
                    Check(property, member, $"{at}.{name}", errors);
                }
                else if (schema.AdditionalProperties is { } additional)
                {
                    Check(additional, member, $"{at}.{name}", errors);
                }
                else if (!schema.AdditionalPropertiesAllowed)
                {
                    errors.Add($"{at}.{name}: is not a documented member");
                }
            }
        }

        if (value is JsonArray items && schema.Items is { } itemSchema)
        {
            for (var index = 0; index < items.Count; index++)
            {
                Check(itemSchema, items[index], $"{at}[{index}]", errors);
            }
        }
    }
}
