using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A service of its own for notice tests (a breach or a policy version reaches every subject of the service, so no
/// other test's people may be in it): the policy's clock is fake, reminders and outbox rechecks come every second or two.
/// </summary>
public class NoticeService : ServiceHost
{
    public NoticeService()
    {
        Settings["Outbox:RecheckPeriod"] = "00:00:02";
        Settings["Notices:ResumePeriod"] = "00:00:02";
        Settings["Notices:BatchSize"] = "4";
    }

    /// <summary>The policy's clock on every silo; starts at the real time.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>The officer's gateway (started by <see cref="OfficerAsync"/>).</summary>
    public HttpClient? Admin { get; private set; }

    protected override string Purpose => "notices";

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }

    /// <summary>Signs up an officer (in <paramref name="region"/>) and starts a gateway that knows them as one.</summary>
    public async Task<Person> OfficerAsync(string region = "ap")
    {
        var officer = await this.SignUpAsync(region);
        Admin = await StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        return officer;
    }
}
