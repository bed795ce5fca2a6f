using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>Pending sign-ups are personal data: when their code expires, a reminder destroys them.</summary>
public sealed class CodeExpiryTests
{
    [Fact]
    public async Task A_pending_sign_up_is_gone_from_the_database_once_its_code_expires_and_the_code_no_longer_works()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ShortCodeService>();
        var (email, name) = (Infrastructure.People.NewEmail(), Infrastructure.People.NewName());

        using (var signUp = await service.Http.PostAsync("/v1/users", Json.Body(new { email, name, region = "eu", birthDate = "1980-03-04" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signUp.StatusCode);
        }

        var code = await service.Outbox.NextCodeAsync(email);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(name));

        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from grain_state"),
            rows => rows == 0,
            TimeSpan.FromSeconds(60),
            "the pending sign-up's row destroyed by its reminder");
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from reminder"),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the expiry reminder unregistered");

        using var late = await service.Http.PostAsync("/v1/sessions/verify", Json.Body(new { email, code }));
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal(0, await service.Database.ScalarAsync<long>("select count(*) from grain_state"));
    }

    public sealed class ShortCodeService : ServiceHost
    {
        public ShortCodeService() => Settings["Accounts:CodeLifetime"] = "00:00:03";

        protected override string Purpose => "codes";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}
