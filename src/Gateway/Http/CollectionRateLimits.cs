using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// Per client address limits of the routes anyone can use to make us store something (configuration section
/// <c>Gateway:RateLimits</c>): analytics events and crash reports. Beyond them, 429 with <c>Retry-After</c>; nothing is stored.
/// </summary>
internal sealed class CollectionRateLimits
{
    public const string SectionName = "Gateway:RateLimits";

    public const string AnalyticsEventsPolicy = "analytics-events";

    public const string CrashReportsPolicy = "crash-reports";

    /// <summary>Analytics events one client address may send per <see cref="CollectionWindow"/>.</summary>
    public int AnalyticsEvents { get; set; } = 60;

    /// <summary>Crash reports one client address may send per <see cref="CollectionWindow"/> (one cluster's cap per day is the grain's).</summary>
    public int CrashReports { get; set; } = 30;

    /// <summary>The window both limits count in.</summary>
    public TimeSpan CollectionWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Adds the two policies, partitioned by <see cref="ClientAddress"/>, with limits from <paramref name="configuration"/>.</summary>
    public static void AddPolicies(RateLimiterOptions limiter, IConfiguration configuration)
    {
        var limits = configuration.GetSection(SectionName).Get<CollectionRateLimits>() ?? new CollectionRateLimits();
        if (limits.AnalyticsEvents < 1 || limits.CrashReports < 1 || limits.CollectionWindow <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}: AnalyticsEvents and CrashReports must be at least 1, CollectionWindow positive.");
        }

        limiter.AddPolicy(AnalyticsEventsPolicy, context => PerAddress(context, limits.AnalyticsEvents, limits.CollectionWindow));
        limiter.AddPolicy(CrashReportsPolicy, context => PerAddress(context, limits.CrashReports, limits.CollectionWindow));
    }

    /// <summary>The <c>Retry-After</c> of a refused request, in whole seconds: what the limiter says, else a minute.</summary>
    public static string RetryAfter(RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        return Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    private static RateLimitPartition<string> PerAddress(HttpContext context, int permits, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(
            ClientAddress.Of(context) ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });
}
