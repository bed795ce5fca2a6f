using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.ApplicationParts;

namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>
/// The Privacy Center: server-rendered Razor Pages under <c>/privacy/</c>, served by the gateway, calling the same grains
/// as the HTTP API. Forms post back and work without script; every asset comes from the gateway.
/// </summary>
internal static partial class PrivacyCenterComposition
{
    public const string PathPrefix = "/privacy";

    /// <summary>The Content-Security-Policy of every page: nothing but our own styles and images; no script at all.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplicationBuilder AddPrivacyCenter(this WebApplicationBuilder builder)
    {
        var gateway = typeof(PrivacyCenterComposition).Assembly;
        builder.Services.AddRazorPages(options => options.RootDirectory = "/PrivacyCenter/Pages")
            .ConfigureApplicationPartManager(parts =>
            {
                // The pages are compiled into the gateway, which is not the entry assembly when a test host runs it.
                if (!parts.ApplicationParts.Any(part => part.Name == gateway.GetName().Name))
                {
                    foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(gateway).GetApplicationParts(gateway))
                    {
                        parts.ApplicationParts.Add(part);
                    }
                }
            });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "pd_antiforgery";
            options.Cookie.Path = PathPrefix;
            options.Cookie.HttpOnly = true;
            // Antiforgery refuses Always on plain HTTP (TLS may end at a proxy): the cookie policy below adds Secure instead.
            options.Cookie.SecurePolicy = CookieSecurePolicy.None;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.FormFieldName = "__pd_antiforgery";

            // frame-ancestors 'none' (and X-Frame-Options DENY) are sent for every page below.
            options.SuppressXFrameOptionsHeader = true;
        });
        builder.Services.AddSingleton<PrivacySessions>();
        return builder;
    }

    public static WebApplication MapPrivacyCenter(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers["Referrer-Policy"] = "no-referrer";
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Cross-Origin-Opener-Policy"] = "same-origin";
                    headers["Cross-Origin-Resource-Policy"] = "same-origin";
                    if (!context.Request.Path.StartsWithSegments(PathPrefix + "/assets", StringComparison.OrdinalIgnoreCase))
                    {
                        // Pages carry personal data: no cache, shared or private, keeps them.
                        headers.CacheControl = "no-store";
                    }

                    return Task.CompletedTask;
                });
            }

            return next(context);
        });

        // Every Privacy Center cookie is Secure, HttpOnly and SameSite=Strict, even where TLS ends in front of the gateway.
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase),
            branch => branch.UseCookiePolicy(new CookiePolicyOptions
            {
                Secure = CookieSecurePolicy.Always,
                HttpOnly = Microsoft.AspNetCore.CookiePolicy.HttpOnlyPolicy.Always,
                MinimumSameSitePolicy = SameSiteMode.Strict,
            }));
        app.MapGet(PathPrefix + "/assets/{name}", (string name) => PrivacyCenterAssets.Serve(name)).ExcludeFromDescription();
        app.MapGet(PathPrefix + "/me/export", ExportDownload.GetAsync).ExcludeFromDescription();
        // Pages are for people, not API clients: the OpenAPI document describes the /v1 contract only.
        app.MapRazorPages().WithMetadata(new ExcludeFromDescriptionAttribute());
        app.Lifetime.ApplicationStarted.Register(() => AnnounceAddresses(app));
        return app;
    }

    /// <summary>Says where the Privacy Center is, once the gateway listens (addresses only: nothing personal).</summary>
    private static void AnnounceAddresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PrivacyCenterComposition).FullName!);
        foreach (var address in addresses)
        {
            LogPrivacyCenter(logger, address.TrimEnd('/') + PathPrefix + "/");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy Center: {Url}")]
    private static partial void LogPrivacyCenter(ILogger logger, string url);
}
