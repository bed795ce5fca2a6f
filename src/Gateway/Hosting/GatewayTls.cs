using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PrimeDirective.Gateway.Hosting;

/// <summary>
/// "These statistics are transmitted using TLS". TLS is switched on by Kestrel's own default certificate
/// (<c>Kestrel:Certificates:Default:Path</c>, plus <c>KeyPath</c> for a PEM key or <c>Password</c> for a PFX): Kestrel
/// loads it for every <c>https://</c> URL, and the gateway then redirects plain HTTP there (307, so a POSTed report keeps
/// its method and body) and sends HSTS. Without it the gateway serves plain HTTP, which in <c>Production</c> it does only
/// where TLS ends in front of it (<c>Gateway:TlsTerminatedUpstream</c>, e.g. behind the Kubernetes Ingress); otherwise it
/// refuses to start. It says at start which of these it is.
/// </summary>
internal static partial class GatewayTls
{
    public const string CertificatePathKey = "Kestrel:Certificates:Default:Path";

    public const string TerminatedUpstreamKey = "Gateway:TlsTerminatedUpstream";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[CertificatePathKey]);

    public static WebApplicationBuilder AddGatewayTls(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<TlsAtStart>();
        if (!IsConfigured(builder.Configuration))
        {
            return builder;
        }

        // The default list spares loopback so developers' browsers are not pinned; here a certificate was configured on purpose, and tests run on loopback.
        builder.Services.AddHsts(options => options.ExcludedHosts.Clear());
        builder.Services.AddHostedService<HttpsBound>();
        return builder;
    }

    public static WebApplication UseGatewayTls(this WebApplication app)
    {
        if (IsConfigured(app.Configuration))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        return app;
    }

    /// <summary>Refuses to start when a certificate is configured but no https URL is bound: statistics would travel in plain text.</summary>
    private sealed class HttpsBound(IServer server) : IHostedLifecycleService
    {
        public Task StartedAsync(CancellationToken cancellationToken)
        {
            // StartedAsync runs after every StartAsync, the web server's included, so its addresses are bound by now.
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (!addresses.Any(address => address.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException(
                    $"{CertificatePathKey} is set but no https:// URL is bound; add one to --urls (e.g. \"http://0.0.0.0:5116;https://0.0.0.0:5443\").");
            }

            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Before anything listens: refuses plain HTTP in production unless TLS ends upstream, and says which mode this is.</summary>
    private sealed partial class TlsAtStart(IConfiguration configuration, IHostEnvironment environment, ILogger<TlsAtStart> logger) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            var upstream = configuration.GetValue<bool>(TerminatedUpstreamKey);
            if (IsConfigured(configuration))
            {
                LogHttps(logger);
            }
            else if (upstream)
            {
                LogUpstream(logger);
            }
            else if (environment.IsProduction())
            {
                throw new InvalidOperationException(
                    $"In Production the gateway transmits only over TLS: set {CertificatePathKey} (with an https:// URL), or {TerminatedUpstreamKey}=true "
                    + "where a proxy in front of it terminates TLS (the Kubernetes Ingress does).");
            }
            else
            {
                LogPlain(logger, environment.EnvironmentName);
            }

            return Task.CompletedTask;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "TLS: HTTPS with the configured certificate; plain HTTP is redirected to it")]
        private static partial void LogHttps(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "TLS: terminated upstream (Gateway:TlsTerminatedUpstream); this gateway speaks plain HTTP to its proxy only")]
        private static partial void LogUpstream(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "TLS: none; plain HTTP, allowed only outside Production (environment {Environment})")]
        private static partial void LogPlain(ILogger logger, string environment);
    }
}
