using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Hosting;

/// <summary>Where the management listener binds (section <c>Management</c>).</summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Management";

    /// <summary><c>;</c>-separated URLs (e.g. <c>http://0.0.0.0:9090</c>); none: no management listener.</summary>
    public string? Urls { get; set; }
}

/// <summary>
/// The management port of a silo or gateway process (<c>Management:Urls</c>): a small Kestrel server of its own, apart
/// from the public listener, so probes and telemetry never share a port with people's requests and the public port
/// answers 404 for them. <c>/health/live</c> and <c>/health/ready</c> run the process's health checks tagged
/// <see cref="LiveTag"/> and <see cref="ReadyTag"/>; a feature adds routes with <see cref="AddManagementEndpoints"/>.
/// </summary>
public static partial class ManagementServer
{
    /// <summary>The liveness route of the management listener.</summary>
    public const string LivePath = "/health/live";

    /// <summary>The readiness route of the management listener.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>Checks that say the process still makes progress (a failure restarts it).</summary>
    public const string LiveTag = "live";

    /// <summary>Checks that say the process should receive work (a failure takes it out of rotation).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Runs the management listener when <c>Management:Urls</c> is set (once per process, whoever asks first).</summary>
    public static IServiceCollection AddManagementServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddHealthChecks();
        if (services.Any(service => service.ImplementationType == typeof(Listener)))
        {
            return services;
        }

        services.AddOptions<ManagementOptions>().Bind(configuration.GetSection(ManagementOptions.SectionName));
        services.AddSingleton<IHostedService, Listener>();
        return services;
    }

    /// <summary>Adds routes to the management listener (they see the process's own services).</summary>
    public static IServiceCollection AddManagementEndpoints(this IServiceCollection services, Action<IEndpointRouteBuilder, IServiceProvider> map)
    {
        services.AddSingleton(new ManagementEndpoints(map));
        return services;
    }

    /// <summary>Routes a feature contributes to the management listener.</summary>
    public sealed record ManagementEndpoints(Action<IEndpointRouteBuilder, IServiceProvider> Map);

    private sealed partial class Listener(
        IServiceProvider services, IOptions<ManagementOptions> options, IHostEnvironment environment, ILoggerFactory loggers, ILogger<Listener> logger)
        : IHostedService, IAsyncDisposable
    {
        private WebApplication? _app;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(options.Value.Urls))
            {
                return;
            }

            // An empty builder: none of the process's configuration (Kestrel endpoints, URLs) reaches this listener.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
            {
                ApplicationName = environment.ApplicationName,
                EnvironmentName = environment.EnvironmentName,
                ContentRootPath = environment.ContentRootPath,
            });
            builder.WebHost.UseKestrelCore().UseUrls(options.Value.Urls);
            builder.Services.AddRoutingCore();
            builder.Services.AddLogging();
            builder.Services.AddSingleton(loggers);
            var app = builder.Build();
            app.UseRouting();
            var checks = services.GetRequiredService<HealthCheckService>();
            app.MapGet(LivePath, (CancellationToken token) => HealthAsync(checks, LiveTag, token));
            app.MapGet(ReadyPath, (CancellationToken token) => HealthAsync(checks, ReadyTag, token));
            foreach (var endpoints in services.GetServices<ManagementEndpoints>())
            {
                endpoints.Map(app, services);
            }

            await app.StartAsync(cancellationToken);
            _app = app;
            LogListening(logger, options.Value.Urls);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_app is not null)
            {
                await _app.StopAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }

        private static async Task<IResult> HealthAsync(HealthCheckService checks, string tag, CancellationToken cancellationToken)
        {
            var report = await checks.CheckHealthAsync(check => check.Tags.Contains(tag), cancellationToken);
            var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;

            // Why, one failing check a line (names and descriptions only: checks describe states, never data).
            var why = report.Entries.Where(entry => entry.Value.Status == HealthStatus.Unhealthy)
                .Select(entry => $"\n{entry.Key}: {entry.Value.Description}");
            return Results.Text(report.Status + string.Concat(why), "text/plain", statusCode: status);
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Management listener (health) on {Urls}")]
        private static partial void LogListening(ILogger logger, string urls);
    }
}
