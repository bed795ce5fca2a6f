namespace PrimeDirective.Gateway.Http;

/// <summary>
/// A route that skips the middleware it does not use (status-code pages, authentication and authorisation, the GPC
/// signal, the rate limiter, JSON body rules): Flynn's scheduler report, sent by every cluster twice a day, with no body,
/// no person and no per-address limit (clusters share NATs). Forwarded headers, the exception handler (the problem
/// mapping) and TLS still apply, and the route's own answers are problems with a body.
/// </summary>
internal static class LeanRoute
{
    /// <summary>Marks <paramref name="endpoint"/> as lean. It must not need a signed-in person, a rate limit or a JSON body.</summary>
    public static TBuilder AsLeanRoute<TBuilder>(this TBuilder endpoint)
        where TBuilder : IEndpointConventionBuilder => endpoint.WithMetadata(Marker.Instance);

    /// <summary>Runs <paramref name="full"/> for every request except those routed to a lean route.</summary>
    public static IApplicationBuilder UseUnlessLean(this IApplicationBuilder app, Action<IApplicationBuilder> full) =>
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<Marker>() is null, branch =>
        {
            full(branch);

            // The host adds authentication and authorisation in front of every route unless its own builder records them
            // as added, and a branch records them only in its copy of the properties: without this, a lean route would
            // be authenticated anyway (a token it carries used its account) and the rest authenticated twice.
            foreach (var (key, value) in branch.Properties.Where(property => !app.Properties.ContainsKey(property.Key)).ToList())
            {
                app.Properties[key] = value;
            }
        });

    private sealed class Marker
    {
        public static readonly Marker Instance = new();
    }
}
