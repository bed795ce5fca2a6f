using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Gateway.Http;

/// <summary>Cluster-facing routes take an optional leading <c>/{region}</c>; without it, the gateway's home region.</summary>
internal static class RegionRoute
{
    public const string Prefix = "/{region}";

    /// <summary>The region a request addresses, or <c>null</c> when it names one we do not have.</summary>
    public static string? Resolve(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<RegionOptions>>().Value;
        var named = context.GetRouteValue("region") as string;
        if (named is null)
        {
            return options.Home;
        }

        return options.IsConfigured(named) ? named : null;
    }

    /// <summary>Maps <paramref name="map"/> both without and with the region prefix.</summary>
    public static void MapWithOptionalRegion(this IEndpointRouteBuilder routes, Action<RouteGroupBuilder> map)
    {
        map(routes.MapGroup(string.Empty));
        map(routes.MapGroup(Prefix));
    }
}
