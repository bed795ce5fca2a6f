using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.ChildRemoval;
using PrimeDirective.Gateway.Downloads;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Health;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.PrivacyCenter;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Stats;
using PrimeDirective.Gateway.Tracking;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.OpenDsr;
using PrimeDirective.Gateway.Transparency;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Receipts;

namespace PrimeDirective.Gateway.Hosting;

/// <summary>The gateway's wiring, shared by <c>Program</c> and the tests' real-HTTP hosts.</summary>
public static class GatewayComposition
{
    /// <summary>A directory whose files are configuration keys (the process's secrets), as a secret volume mounts them.</summary>
    public const string SecretsDirectoryKey = "Secrets:Directory";

    /// <summary>Registers everything the gateway needs on <paramref name="builder"/>.</summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Secrets mounted as files (a Kubernetes secret volume): one file per key, "__" for ":", read before anything else.
        if (builder.Configuration[SecretsDirectoryKey] is { Length: > 0 } secrets)
        {
            builder.Configuration.AddKeyPerFile(secrets, optional: false);
        }

        // Request logging would write paths and query strings, which carry cluster ids: framework logs stay at warnings.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The host also opens a log scope naming the request path around every line logged during a request (an Orleans
        // warning included); with its category off it opens none, so no provider that writes scopes can see a cluster id.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.AddGatewayOrleans();
        builder.Services.AddSingleton<System.Diagnostics.DistributedContextPropagator>(InboundTraceContext.WithoutBaggage);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = JsonBody.MaxBytes);
        builder.AddGatewayTls();
        // Only configured proxies (addresses or CIDR networks) may name the client; by default even loopback may not. Read
        // here, so a malformed entry stops the gateway before it serves anyone.
        var (proxies, networks) = ClientAddress.ParseTrusted(builder.Configuration.GetSection("Gateway:TrustedProxies").Get<string[]>() ?? []);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        builder.AddGatewayAuth();
        builder.Services.AddSingleton<UserGrains>();
        builder.Services.AddApplicationLayer();
        // Read here, so a misnamed action (or the rule turned off outside the single-process mode) stops the gateway at start.
        builder.Services.AddSingleton(GovernanceOptions.Read(builder.Configuration));
        builder.Services.AddRateLimiter(limiter =>
        {
            // Codes by mail are the abusable part: per client address, a few requests a minute.
            var perMinute = builder.Configuration.GetValue<int?>("Gateway:RateLimits:CodeRequestsPerMinute") ?? 10;
            limiter.AddPolicy(SignUpEndpoints.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

            // Anyone can make us store analytics events and (with a cluster's proof) crash reports: bounded per address too.
            CollectionRateLimits.AddPolicies(limiter, builder.Configuration);
            limiter.OnRejected = async (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = CollectionRateLimits.RetryAfter(rejected.Lease);
                await Problems.Create(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests.", "Wait as Retry-After says before sending again.")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = Problems.UseProjectType);
        builder.Services.AddExceptionHandler<GatewayExceptionHandler>();
        builder.Services.AddStrictJson(ClusterJson.Default, UserJson.Default, RequestJson.Default, ChildRemovalJson.Default, LegalHoldJson.Default, TrackingJson.Default, CrashReportJson.Default, StatsJson.Default, ThirdPartyRecordJson.Default, SharingJson.Default, LegalRequestJson.Default, NoticeJson.Default, OpenDsrJson.Default, GovernanceJson.Default, TransparencyJson.Default, KeyRotationJson.Default);
        builder.Services.AddOpenDsrKeys(builder.Configuration.GetSection(OpenDsrOptions.SectionName));
        builder.Services.AddReceiptKeys(builder.Configuration.GetSection(ReceiptOptions.SectionName), GatewayOrleans.IsSingleProcess(builder.Configuration));
        builder.Services.AddGatewayOpenApi();
        builder.Services.AddGatewayHealth();
        builder.AddGatewayDataProtection();
        builder.AddPrivacyCenter();
        return builder;
    }

    /// <summary>The middleware pipeline and every route.</summary>
    public static WebApplication UseGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseGatewayTls();
        // Flynn's scheduler report (a lean route) needs none of this: no body, no person, no per-address limit.
        app.UseUnlessLean(full =>
        {
            full.UseStatusCodePages();
            full.UseAuthentication();
            full.UseAuthorization();
            full.UseGpcConsent();
            full.UseRateLimiter();
            full.UseJsonBodyRules();
        });

        app.MapOpenApi();
        app.MapGatewayHealth();

        // Every route: request bodies' values checked before handlers run, and every problem documented.
        var routes = RequestCheck.Apply(app.MapGroup(string.Empty)).DescribeProblems();
        routes.MapClusterEndpoints();
        routes.MapSignUpEndpoints();
        routes.MapMeEndpoints();
        routes.MapPrivacyRequestEndpoints();
        routes.MapChildRemovalEndpoints();
        routes.MapLegalHoldEndpoints();
        routes.MapKeyRotationEndpoints();
        routes.MapCrashReportEndpoints();
        routes.MapTrackingEndpoints();
        routes.MapDownloadEndpoints();
        routes.MapStatsEndpoints();
        routes.MapThirdPartyRecordEndpoints();
        routes.MapSharingEndpoints();
        routes.MapNoticeEndpoints();
        routes.MapOpenDsrEndpoints();
        routes.MapGovernanceEndpoints();
        routes.MapTransparencyEndpoints();
        app.MapPrivacyCenter();
        app.Services.GetRequiredService<GovernanceOptions>().LogAtStart(app.Logger);
        return app;
    }
}
