using System.Net;
using System.Security.Cryptography;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// The pseudonym key cannot change (issue 23): every grain key is an HMAC under it, so a silo configured with another key
/// would find no subject. It refuses to start instead, changing nothing; the service under the original key serves on.
/// </summary>
public sealed class PseudonymKeyTests
{
    [Fact]
    public async Task A_silo_configured_with_another_pseudonym_key_refuses_to_start_and_changes_nothing()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ServiceHost>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var recorded = await service.KeyStore.ScalarAsync<string>("select check_value from pseudonym_key_check");
        Assert.False(string.IsNullOrEmpty(recorded));
        Assert.DoesNotContain(service.Settings["Privacy:PseudonymKey"]!, recorded, StringComparison.Ordinal);
        var keys = await service.KeyStore.ScalarAsync<long>("select count(*) from data_keys");

        var other = new Dictionary<string, string?> { ["Privacy:PseudonymKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => service.StartSiloAsync(overrides: other));
        Assert.Contains("Privacy:PseudonymKey is not the key this service's data was written under", refused.ToString(), StringComparison.Ordinal);

        // Nothing changed: the recorded value, the key store, and the cluster still answers under the original key.
        Assert.Equal(recorded, await service.KeyStore.ScalarAsync<string>("select check_value from pseudonym_key_check"));
        Assert.Equal(1L, await service.KeyStore.ScalarAsync<long>("select count(*) from pseudonym_key_check"));
        Assert.Equal(keys, await service.KeyStore.ScalarAsync<long>("select count(*) from data_keys"));
        Assert.Single(service.Silos);
        using var read = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        // A silo with the original key starts.
        await service.StartSiloAsync();
        Assert.Equal(2, service.Silos.Count);
    }
}
