using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// The service for sharing tests: PostgreSQL, a silo whose policy clock the tests move (Orleans' own timers keep real
/// time), one-second reminders, an officer and a gateway that knows them. Plain-http loopback processors are allowed here.
/// </summary>
public class SharingService : ServiceHost
{
    public SharingService()
        : this(TimeSpan.FromSeconds(1))
    {
    }

    /// <summary>A sharing service whose pushes, erasure notices and package expiry checks come back every <paramref name="period"/>.</summary>
    protected SharingService(TimeSpan period)
    {
        Settings["Sharing:RetryPeriod"] = period.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        Settings["Sharing:ExpiryCheckPeriod"] = period.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        Settings["Sharing:AllowInsecureEndpoints"] = "true";
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public Person Officer { get; private set; } = null!;

    /// <summary>A gateway whose configuration names <see cref="Officer"/>.</summary>
    public HttpClient Admin { get; private set; } = null!;

    protected override string Purpose => "sharing";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Officer = await this.SignUpAsync();
        Admin = await StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = Officer.UserId });
    }

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
        silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }

    public override async Task DisposeAsync()
    {
        Admin?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SharingFixture : ICollectionFixture<SharingService>
{
    public const string Name = "sharing service";
}

/// <summary>
/// The sharing service with hourly retries and expiry checks: what happens "at once" must happen without waiting for a
/// reminder (Orleans first fires one registered due now a whole period later).
/// </summary>
public sealed class HourlySharingService : SharingService
{
    public HourlySharingService()
        : base(TimeSpan.FromHours(1))
    {
    }

    protected override string Purpose => "sharing_hourly";
}

[CollectionDefinition(Name)]
public sealed class HourlySharingFixture : ICollectionFixture<HourlySharingService>
{
    public const string Name = "hourly sharing service";
}
