using System.Text.Json.Serialization;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Gateway.Admin;

/// <summary>The progress of the key-encryption keys' rotation (officers): no key material, no subject, only versions and counts.</summary>
internal static class KeyRotationEndpoints
{
    public static IEndpointRouteBuilder MapKeyRotationEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/v1/admin/keys").WithTags("Keys").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .MapGet("/rotation", async (KeyRotationDesk desk) => TypedResults.Ok(await desk.StatusAsync()))
            .WithSummary("The KEK rotation: the active version, data keys still wrapped by an older one, and when each older version is destroyed.");
        return routes;
    }
}

/// <summary>The KEK rotation's JSON, source-generated.</summary>
[JsonSerializable(typeof(KekRotationStatus))]
internal sealed partial class KeyRotationJson : JsonSerializerContext;
