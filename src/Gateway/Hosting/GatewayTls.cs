using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace PrimeDirective.Gateway.Hosting;

/// <summary>
/// TLS, switched on by Kestrel's own default certificate (<c>Kestrel:Certificates:Default:Path</c>, plus <c>KeyPath</c>
/// for a PEM key or <c>Password</c> for a PFX): Kestrel loads it for every <c>https://</c> URL, and the gateway then
/// redirects plain HTTP there (307, so a POSTed report keeps its method and body) and sends HSTS.
/// Without it the gateway serves plain HTTP exactly as before (TLS terminated in front of it, e.g. by an Ingress).
/// </summary>
internal static class GatewayTls
{
    public const string CertificatePathKey = "Kestrel:Certificates:Default:Path";

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[CertificatePathKey]);

    public static WebApplicationBuilder AddGatewayTls(this WebApplicationBuilder builder)
    {
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
}
