using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Transparency;

/// <summary>
/// A service of its own for the transparency report (its counts must be exactly what its test did, and a breach reaches
/// every subject of the service): the policy's clock is fake, so the test closes a half-year by moving it.
/// </summary>
public sealed class TransparencyService : ServiceHost
{
    public TransparencyService()
    {
        Settings["Notices:ResumePeriod"] = "00:00:02";
        Settings["Outbox:RecheckPeriod"] = "00:00:02";
    }

    /// <summary>The policy's clock on every silo; starts at the real time.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override string Purpose => "transparency";

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
