using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using PrimeDirective.Gateway.Clusters;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>: the security schemes (bearer tokens, the cluster operator's
/// <c>X-Flynn-Bootstrap-Id</c> proof), every problem each route can answer, and the project's problem types.
/// </summary>
internal static partial class OpenApiContract
{
    public const string BearerScheme = "bearer";

    public const string ProofScheme = "flynnBootstrapId";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Prime Directive";
            document.Info.Description = "Statistics from Flynn clusters, kept under a privacy policy by construction. Errors are application/problem+json.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT" };
            document.Components.SecuritySchemes[ProofScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ClusterEndpoints.ProofHeader,
                Description = "The bootstrap id the cluster reported: proof that the caller runs it.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var scheme = metadata.OfType<ClusterProof>().Any() ? ProofScheme
                : metadata.OfType<IAuthorizeData>().Any() ? BearerScheme
                : null;
            if (scheme is not null)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] }];
            }

            // The proof is described by its security scheme, not again as a parameter.
            operation.Parameters ??= [];
            operation.Parameters.Remove(operation.Parameters.FirstOrDefault(parameter => parameter.Name == ClusterEndpoints.ProofHeader)!);

            // Route segments no handler binds (the optional leading {region}) are parameters all the same.
            foreach (var name in RouteParameter().Matches(context.Description.RelativePath ?? string.Empty).Select(match => match.Groups[1].Value))
            {
                if (!operation.Parameters.Any(parameter => parameter.Name == name && parameter.In == ParameterLocation.Path))
                {
                    operation.Parameters.Insert(0, new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
                }
            }

            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (type == typeof(ProblemDetails) && schema.Properties is { } properties)
            {
                properties["type"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The kind of problem; stable, so clients can act on it.",
                    Enum = [.. Problems.Types.Select(name => (JsonNode)JsonValue.Create(Problems.TypePrefix + name))],
                };
                properties["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Per field (never echoing a value): what is wrong with it.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                };
                schema.Required = new HashSet<string>(["type", "title", "status"], StringComparer.Ordinal);

                // Problems carry extensions (traceId, errors).
                schema.AdditionalPropertiesAllowed = true;
            }
            else if (type == typeof(ImmutableDictionary<string, JsonElement>))
            {
                schema.Type = JsonSchemaType.Object;
                schema.AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Number };
            }

            return Task.CompletedTask;
        });
    });

    /// <summary>Marks a route that needs the cluster operator's proof header.</summary>
    public static RouteHandlerBuilder RequireClusterProof(this RouteHandlerBuilder builder) => builder.WithMetadata(new ClusterProof());

    /// <summary>
    /// Documents the problems every route of <paramref name="builder"/> can answer besides its own: a JSON body's 400, 413
    /// and 415 (and 422 with value rules), 401 and 403 behind authorization, 429 when rate-limited, and 503 everywhere.
    /// </summary>
    public static TBuilder DescribeProblems<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            var body = metadata.OfType<IAcceptsMetadata>().Any();
            var checkedBody = metadata.OfType<MethodInfo>().Any(method => method.GetParameters().Any(parameter => parameter.ParameterType.IsAssignableTo(typeof(IRequestBody))));
            int[] statuses =
            [
                .. body ? [StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType] : Array.Empty<int>(),
                .. checkedBody ? [StatusCodes.Status422UnprocessableEntity] : Array.Empty<int>(),
                .. metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any()
                    ? [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden] : Array.Empty<int>(),
                .. metadata.OfType<EnableRateLimitingAttribute>().Any() ? [StatusCodes.Status429TooManyRequests] : Array.Empty<int>(),
                StatusCodes.Status503ServiceUnavailable,
            ];
            var documented = metadata.OfType<IProducesResponseTypeMetadata>().Select(produces => produces.StatusCode).ToHashSet();
            foreach (var status in statuses.Where(documented.Add))
            {
                metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
            }
        });
        return builder;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteParameter();

    /// <summary>Metadata of routes that need <see cref="ClusterEndpoints.ProofHeader"/>.</summary>
    private sealed class ClusterProof;
}
