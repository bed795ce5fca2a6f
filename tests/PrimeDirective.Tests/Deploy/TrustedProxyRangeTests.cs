using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// <c>Gateway:TrustedProxies</c> takes networks: behind an ingress controller whose pods change addresses, a report
/// relayed from anywhere in the configured range keeps the client's own address (what retention keeps, and what rate
/// limits count), while a connection from outside every range still cannot name one.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class TrustedProxyRangeTests(SharedService service)
{
    [Fact]
    public async Task A_proxy_inside_a_trusted_range_names_the_client_and_its_address_is_what_is_kept()
    {
        // The tests' loopback connection plays a controller pod somewhere in 127.0.0.0/8.
        using var gateway = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Gateway:TrustedProxies:0"] = "127.0.0.0/8" });
        var (cluster, bootstrap, client) = (Flynn.NewId(), Flynn.NewId(), FreshAddress());

        using var report = await gateway.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: client));

        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(client, await KeptAddressAsync(gateway, cluster, bootstrap));
    }

    [Fact]
    public async Task A_connection_from_outside_every_trusted_range_cannot_name_a_client()
    {
        using var gateway = await service.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Gateway:TrustedProxies:0"] = "10.0.0.0/8",
            ["Gateway:TrustedProxies:1"] = "192.0.2.7",
        });
        var (cluster, bootstrap, client) = (Flynn.NewId(), Flynn.NewId(), FreshAddress());

        using var report = await gateway.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: client));

        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("127.0.0.1", await KeptAddressAsync(gateway, cluster, bootstrap));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(client));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("ingress-nginx")]
    public async Task A_malformed_entry_stops_the_gateway_at_start_and_names_it(string entry)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Gateway:TrustedProxies:0"] = entry }));

        Assert.Contains($"\"{entry}\"", refused.Message, StringComparison.Ordinal);
        Assert.Contains("CIDR", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A client address no other test uses (documentation range 2001:db8::/32): the shared database is searched for it.</summary>
    private static string FreshAddress()
    {
        var bytes = new byte[16];
        new byte[] { 0x20, 0x01, 0x0d, 0xb8 }.CopyTo(bytes, 0);
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes.AsSpan(4));
        return new IPAddress(bytes).ToString();
    }

    /// <summary>The address the cluster's report was stored with (its ip-address item), as its operator sees it.</summary>
    private static async Task<string?> KeptAddressAsync(HttpClient gateway, string cluster, string bootstrap)
    {
        using var held = await gateway.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        var items = (await Json.ReadAsync(held))["items"]!.AsArray();
        return (string?)Assert.Single(items, item => (string?)item!["category"] == "ip-address")!["value"];
    }
}
