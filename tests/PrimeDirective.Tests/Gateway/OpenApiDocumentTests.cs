using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Gateway;

/// <summary>
/// <c>/openapi/v1.json</c> is the contract: it reads without errors or warnings, describes every route the gateway maps
/// with its body schema and every success and problem response, and a client that knows only the document can use it.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class OpenApiDocumentTests(SharedService service)
{
    private static readonly string[] s_problemTypes =
    [
        "invalid-request", "validation", "not-found", "unknown-region", "payload-too-large", "unsupported-media-type",
        "unauthorized", "forbidden", "under-13", "invalid-code", "rate-limited", "unavailable",
    ];

    [Fact]
    public async Task Every_mapped_route_is_documented_with_its_body_schema_and_its_success_and_problem_responses()
    {
        var document = (await OpenApiClient.LoadAsync(service.Http)).Document;
        var endpoints = service.Gateways[0].Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .ToList();
        Assert.Contains(endpoints, endpoint => endpoint.RoutePattern.RawText == "/{region}/v1/clusters/{clusterId}/reports");

        foreach (var endpoint in endpoints)
        {
            var template = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            Assert.True(document.Paths.TryGetValue(template, out var path), $"{template} is not documented");
            foreach (var method in endpoint.Metadata.GetRequiredMetadata<IHttpMethodMetadata>().HttpMethods)
            {
                var name = $"{method} {template}";
                var operation = path.Operations?.GetValueOrDefault(HttpMethod.Parse(method));
                Assert.True(operation is not null, $"{name} is not documented");

                foreach (var parameter in endpoint.RoutePattern.Parameters)
                {
                    Assert.Contains(operation.Parameters ?? [], documented => documented.Name == parameter.Name && documented.In == ParameterLocation.Path);
                }

                var takesBody = endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not null;
                Assert.Equal(takesBody, operation.RequestBody is not null);
                if (takesBody)
                {
                    Assert.NotNull(operation.RequestBody!.Content?["application/json"].Schema);
                }

                var responses = operation.Responses!;
                Assert.Contains(responses.Keys, status => status.StartsWith('2'));
                foreach (var (status, response) in responses.Where(pair => pair.Key.StartsWith('2') && pair.Value.Content is { Count: > 0 }))
                {
                    Assert.All(response.Content!.Values, content => Assert.NotNull(content.Schema));
                }

                // The health probes answer in plain text (the live one whenever the process runs).
                if (template.StartsWith("/health/", StringComparison.Ordinal))
                {
                    continue;
                }

                // Every other route can fail transiently, and every problem it documents has the problem schema.
                Assert.Contains("503", responses.Keys);
                foreach (var (status, response) in responses.Where(pair => pair.Key[0] is '4' or '5'))
                {
                    // OpenDSR's own routes answer their refusals in the specification's shape (§7.5), which overrides
                    // DESIGN §4 there; what the framework refuses before them (413, 415, 503) stays a problem.
                    if (IsOpenDsrProtocolRoute(template) && status is not ("413" or "415" or "503"))
                    {
                        OpenApiMediaType? error = null;
                        Assert.True(response.Content?.TryGetValue("application/json", out error) == true, $"{name} {status} has no OpenDSR error schema");
                        Assert.Equal("OpenDsrErrorDocument", Assert.IsType<OpenApiSchemaReference>(error!.Schema).Reference.Id);
                        continue;
                    }

                    OpenApiMediaType? problem = null;
                    Assert.True(response.Content?.TryGetValue("application/problem+json", out problem) == true, $"{name} {status} has no problem schema");
                    Assert.Contains("type", problem!.Schema!.Properties!.Keys);
                }

                if (takesBody)
                {
                    Assert.Contains("400", responses.Keys);
                    Assert.Contains("415", responses.Keys);
                    Assert.Contains("413", responses.Keys);
                }
            }
        }

        // The problem schema lists the project's problem types; person and officer routes need a bearer token, operators' the proof.
        var type = document.Components!.Schemas!["ProblemDetails"].Properties!["type"];
        Assert.Superset(s_problemTypes.Select(name => "urn:prime-directive:problem:" + name).ToHashSet(), type.Enum!.Select(value => (string)value!).ToHashSet());
        Assert.Equal(SecuritySchemeType.Http, document.Components.SecuritySchemes!["bearer"].Type);
        Assert.Equal("X-Flynn-Bootstrap-Id", document.Components.SecuritySchemes["flynnBootstrapId"].Name);
        Assert.Contains(document.Paths["/v1/me"].Operations![HttpMethod.Get].Security!, requirement => requirement.Keys.Any(scheme => scheme.Reference.Id == "bearer"));
        Assert.Contains(document.Paths["/v1/clusters/{clusterId}"].Operations![HttpMethod.Get].Security!, requirement => requirement.Keys.Any(scheme => scheme.Reference.Id == "flynnBootstrapId"));
        Assert.Null(document.Paths["/v1/users"].Operations![HttpMethod.Post].Security);
    }

    [Fact]
    public async Task A_client_that_knows_only_the_document_reports_signs_up_verifies_and_reads_its_data()
    {
        var client = await OpenApiClient.LoadAsync(service.Http);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var clusterRoute = new Dictionary<string, string> { ["clusterId"] = cluster };

        // A Flynn JSON report, as the document describes it.
        var report = new JsonObject
        {
            ["bootstrapId"] = bootstrap,
            ["version"] = Flynn.Version,
            ["reportId"] = "r-openapi",
            ["usage"] = new JsonObject { ["hosts"] = 3 },
            ["performance"] = new JsonObject { ["scheduler_loop_ms"] = 12.5 },
        };
        var (reported, acknowledgement) = await client.SendAsync(HttpMethod.Post, "/v1/clusters/{clusterId}/reports", report, clusterRoute);
        Assert.Equal(HttpStatusCode.Accepted, reported);
        Assert.Equal("r-openapi", (string?)acknowledgement!["reportId"]);
        var (held, record) = await client.SendAsync(HttpMethod.Get, "/v1/clusters/{clusterId}", route: clusterRoute, headers: new Dictionary<string, string> { ["X-Flynn-Bootstrap-Id"] = bootstrap });
        Assert.Equal(HttpStatusCode.OK, held);
        Assert.Equal(cluster, (string?)record!["clusterId"]);

        // What the schema refuses, the server refuses too: an unknown member is a shape error, and nothing of it is stored.
        var operation = client.Operation(HttpMethod.Post, "/v1/clusters/{clusterId}/reports");
        var extra = (JsonObject)report.DeepClone();
        extra["reportId"] = $"r-{Guid.NewGuid():N}";
        extra["operator"] = "someone";
        Assert.NotEmpty(SchemaCheck.Errors(operation.RequestBody!.Content!["application/json"].Schema!, extra));
        using var refused = await service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Raw(extra.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(SchemaCheck.Errors(operation.Responses!["400"].Content!["application/problem+json"].Schema!, await Json.ReadAsync(refused)));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync((string)extra["reportId"]!));

        // Sign-up, the code from the outbox, verify, and everything held about me.
        var (email, name) = (Infrastructure.People.NewEmail("openapi"), Infrastructure.People.NewName());
        var signUp = new JsonObject { ["email"] = email, ["name"] = name, ["region"] = "eu", ["birthDate"] = Infrastructure.People.AdultBirthDate };
        var (signedUp, _) = await client.SendAsync(HttpMethod.Post, "/v1/users", signUp);
        Assert.Equal(HttpStatusCode.Accepted, signedUp);
        var code = await service.Outbox.NextCodeAsync(email);
        var (verified, session) = await client.SendAsync(HttpMethod.Post, "/v1/sessions/verify", new JsonObject { ["email"] = email, ["code"] = code });
        Assert.Equal(HttpStatusCode.OK, verified);

        var (read, me) = await client.SendAsync(HttpMethod.Get, "/v1/me", bearer: (string)session!["token"]!);
        Assert.Equal(HttpStatusCode.OK, read);
        Assert.Equal((string?)session["userId"], (string?)me!["account"]!["userId"]);
        Assert.Equal(email, (string?)me["account"]!["profile"]!["email"]);
        Assert.Equal(name, (string?)me["account"]!["profile"]!["name"]);
    }

    private static bool IsOpenDsrProtocolRoute(string template) =>
        template.StartsWith("/opendsr/v2/requests", StringComparison.Ordinal) || template.StartsWith("/opendsr/v2/results", StringComparison.Ordinal) ||
        template.StartsWith("/opengdpr_requests", StringComparison.Ordinal);
}
