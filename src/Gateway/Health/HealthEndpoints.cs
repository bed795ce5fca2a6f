using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PrimeDirective.Gateway.Health;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: its Orleans client reaches the cluster, and nothing
/// else: a PostgreSQL blip must not take every gateway out of rotation at once (silos answer for their storage). The
/// management listener (<c>Management:Urls</c>) serves the same checks.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>The tag of readiness checks, which the management listener's <c>/health/ready</c> runs too.</summary>
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ClusterReachable>("cluster", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder routes)
    {
        var health = routes.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", () => TypedResults.Text(nameof(HealthStatus.Healthy)))
            .WithSummary("The process answers.").Produces<string>(StatusCodes.Status200OK, "text/plain");
        health.MapGet("/ready", ReadyAsync).WithSummary("The cluster is reachable through this gateway's Orleans client (503 otherwise).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
        return routes;
    }

    private static async Task<ContentHttpResult> ReadyAsync(HealthCheckService checks, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return TypedResults.Text(report.Status.ToString(), "text/plain", statusCode: status);
    }

    private sealed class ClusterReachable(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var management = grains.GetGrain<IManagementGrain>(0);
                var hosts = await management.GetHosts(true, cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)") : HealthCheckResult.Unhealthy("no active silo");
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy($"cluster unreachable ({exception.GetType().Name})");
            }
        }
    }
}
