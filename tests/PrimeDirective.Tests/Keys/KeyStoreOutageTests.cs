using System.Globalization;
using System.Net;
using Npgsql;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// The key store out of reach: a write that needs a key the silo has not cached answers 503 with Retry-After and stores
/// nothing, and the silo's /health/ready says the key store is why.
/// </summary>
public sealed class KeyStoreOutageTests
{
    [Fact]
    public async Task A_sign_up_while_the_key_store_is_unreachable_answers_503_with_retry_after_stores_nothing_and_readiness_names_the_key_store()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RelayedKeyStore>();
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{service.ManagementPort.ToString(CultureInfo.InvariantCulture)}") };
        var before = await service.SignUpAsync();
        using (var ready = await management.GetAsync(ManagementServer.ReadyPath))
        {
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        }

        await service.Relay.CutAsync();
        var rowsBefore = await service.Database.ScalarAsync<long>("select count(*) from grain_state");
        var (email, name) = (Infrastructure.People.NewEmail(), Infrastructure.People.NewName());
        using var signUp = await service.Http.PostAsync("/v1/users", Json.Body(new { email, name, region = "eu", birthDate = Infrastructure.People.AdultBirthDate }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, signUp.StatusCode);
        Assert.NotNull(signUp.Headers.RetryAfter);
        Assert.Equal(rowsBefore, await service.Database.ScalarAsync<long>("select count(*) from grain_state"));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(email));
        Assert.Empty(await service.Outbox.MessagesToAsync(email));
        using (var ready = await management.GetAsync(ManagementServer.ReadyPath))
        {
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("key-store: key store unreachable", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
        }

        // Nothing of the person signed up before was lost or changed by the outage.
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(before.Name));
        Assert.DoesNotContain(service.Logs.GetSnapshot(), record => record.Message.Contains(email, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>One silo that reaches its key store through a relay the test can cut, with a management listener.</summary>
    public sealed class RelayedKeyStore : ServiceHost
    {
        public TcpForwarder Relay { get; private set; } = null!;

        public int ManagementPort { get; } = FreePort.Next();

        protected override string Purpose => "keyoutage";

        protected override async Task StartSilosAsync()
        {
            var server = new NpgsqlConnectionStringBuilder(KeyStore.ConnectionString);
            Relay = new TcpForwarder(new DnsEndPoint(server.Host!, server.Port));
            await StartSiloAsync(overrides: new Dictionary<string, string?>
            {
                ["ConnectionStrings:KeyStore"] = new NpgsqlConnectionStringBuilder(KeyStore.ConnectionString) { Host = "127.0.0.1", Port = Relay.Port }.ConnectionString,
                ["Management:Urls"] = $"http://127.0.0.1:{ManagementPort.ToString(CultureInfo.InvariantCulture)}",
            });
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Relay.DisposeAsync();
        }
    }
}
