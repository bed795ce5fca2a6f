using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// The JSON the framework binds and writes: the feature groups' source-generated contexts first, and strict reading.
/// Unknown, repeated, missing or mistyped members, nulls in non-nullable members and numbers in strings are shape
/// errors (400, through <see cref="GatewayExceptionHandler"/>), before any handler runs.
/// </summary>
internal static class StrictJson
{
    public static IServiceCollection AddStrictJson(this IServiceCollection services, params IJsonTypeInfoResolver[] contexts)
    {
        services.ConfigureHttpJsonOptions(options =>
        {
            var json = options.SerializerOptions;
            foreach (var context in contexts.Reverse())
            {
                json.TypeInfoResolverChain.Insert(0, context);
            }

            json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.AllowDuplicateProperties = false;
            json.RespectNullableAnnotations = true;
            json.RespectRequiredConstructorParameters = true;
            json.PropertyNameCaseInsensitive = false;
            json.NumberHandling = JsonNumberHandling.Strict;
        });

        // A body the framework cannot bind throws, so the one exception handler answers it as a problem.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}
