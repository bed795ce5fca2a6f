using Microsoft.AspNetCore.HttpOverrides;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Health;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Gateway.Http;

var builder = WebApplication.CreateBuilder(args);

// Request logging would write paths and query strings, which carry cluster ids: framework logs stay at warnings.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.AddGatewayOrleans();

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = JsonBody.MaxBytes);
builder.Services.Configure<ForwardedHeadersOptions>(options =>
{
    // Only configured proxies may name the client; by default even loopback may not.
    options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
    options.KnownProxies.Clear();
    options.KnownIPNetworks.Clear();
    foreach (var proxy in ClientAddress.ParseTrusted(builder.Configuration.GetSection("Gateway:TrustedProxies").Get<string[]>() ?? []))
    {
        options.KnownProxies.Add(proxy);
    }
});
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddGatewayHealth();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.MapGatewayHealth();
app.MapClusterEndpoints();

app.Run();

/// <summary>The gateway's entry point (visible to the tests' host factory).</summary>
public partial class Program;
