using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// A silo's health as its membership sees it, on the management port. Ready: the silo is <c>Active</c> in the cluster
/// (not while it joins, not while it shuts down). Live: it has not been declared dead, and Orleans' own watchdog checks
/// (membership and timers firing on time) pass, so a frozen silo stops being live; neither asks a database or another silo.
/// </summary>
internal static class SiloHealth
{
    public static IServiceCollection AddSiloHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SiloActive>("silo-active", tags: [ManagementServer.ReadyTag])
            .AddCheck<SiloProgressing>("silo-progressing", tags: [ManagementServer.LiveTag]);
        return services;
    }

    private sealed class SiloActive(ISiloStatusOracle oracle) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
                ? HealthCheckResult.Healthy("Active")
                : HealthCheckResult.Unhealthy(oracle.CurrentStatus.ToString()));
    }

    private sealed class SiloProgressing(ISiloStatusOracle oracle, IEnumerable<IHealthCheckParticipant> participants, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (oracle.CurrentStatus == SiloStatus.Dead)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("declared dead"));
            }

            var now = time.GetUtcNow().UtcDateTime;
            foreach (var participant in participants)
            {
                if (!participant.CheckHealth(now, out var reason))
                {
                    return Task.FromResult(HealthCheckResult.Unhealthy($"{participant.GetType().Name}: {reason}"));
                }
            }

            return Task.FromResult(HealthCheckResult.Healthy(oracle.CurrentStatus.ToString()));
        }
    }
}
