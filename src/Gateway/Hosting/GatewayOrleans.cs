using Orleans.Configuration;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Gateway.Hosting;

/// <summary>
/// How the gateway reaches the cluster: <c>Orleans:Mode=cohosted</c> (default) runs a silo in this process,
/// configured by the one silo configuration; <c>client</c> joins an existing cluster as an Orleans client.
/// </summary>
internal static partial class GatewayOrleans
{
    /// <summary>The PostgreSQL connection string of durable storage, or <c>null</c> when everything is in memory.</summary>
    public static string? StorageConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(SiloConfiguration.ConnectionStringName) is { Length: > 0 } connectionString ? connectionString : null;

    /// <summary>
    /// Whether this gateway is the whole service in one process: co-hosted and in memory. Only then may it draw random
    /// pseudonym and signing keys; any other process shares data or tokens with processes that must use the same keys.
    /// </summary>
    public static bool IsSingleProcess(IConfiguration configuration) =>
        !IsClient(configuration) && StorageConnectionString(configuration) is null;

    private static bool IsClient(IConfiguration configuration) =>
        string.Equals(configuration["Orleans:Mode"], "client", StringComparison.OrdinalIgnoreCase);

    public static WebApplicationBuilder AddGatewayOrleans(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var orleans = configuration.GetSection("Orleans");
        if (!IsClient(configuration))
        {
            builder.UseOrleans(silo => silo.AddPrimeDirective(configuration, IsSingleProcess(configuration)));
            return builder;
        }

        builder.Services.AddPrimeDirectiveCore(configuration, singleProcess: false);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = orleans["ClusterId"] ?? SiloConfiguration.DefaultClusterId;
                options.ServiceId = orleans["ServiceId"] ?? SiloConfiguration.DefaultClusterId;
            });
            // Calls pending on a gateway silo's connection when it dies are not failed by Orleans: they wait this long.
            var responseTimeout = SiloConfiguration.ResponseTimeout(configuration);
            client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = responseTimeout);
            var connectionString = configuration.GetConnectionString(SiloConfiguration.ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                client.UseLocalhostClustering(orleans.GetValue<int?>("GatewayPort") ?? SiloConfiguration.DefaultGatewayPort);
            }
            else
            {
                client.UseAdoNetClustering(options =>
                {
                    options.Invariant = SiloConfiguration.Invariant;
                    options.ConnectionString = connectionString;
                });
                client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = orleans.GetValue<TimeSpan?>("GatewayListRefreshPeriod") ?? TimeSpan.FromSeconds(10));
            }

            client.AddActivityPropagation();
            client.UseClusterTls(configuration);
            client.UseConnectionRetryFilter<ConnectionRetry>();
        });
        return builder;
    }

    /// <summary>Keeps trying to reach the cluster at start (silos may still be starting), for a bounded time.</summary>
    private sealed partial class ConnectionRetry(ILogger<ConnectionRetry> logger) : IClientConnectionRetryFilter
    {
        private static readonly TimeSpan s_giveUpAfter = TimeSpan.FromMinutes(2);
        private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            if (DateTimeOffset.UtcNow - _startedAt > s_giveUpAfter)
            {
                return false;
            }

            LogRetry(logger, exception.GetType().Name);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Cluster not reachable yet ({ExceptionType}); retrying")]
        private static partial void LogRetry(ILogger logger, string exceptionType);
    }
}
