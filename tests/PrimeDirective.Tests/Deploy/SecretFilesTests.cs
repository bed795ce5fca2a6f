using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// Secrets as files, as a Kubernetes secret volume mounts them (<c>Secrets:Directory</c>; one file per key, <c>__</c> for
/// <c>:</c>): a gateway and a silo whose keys exist only there start and use them; a directory that is not there stops
/// the process instead of leaving it without its secrets.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class SecretFilesTests(SharedService service) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pd-secrets-").FullName;

    [Fact]
    public async Task A_gateway_whose_keys_are_only_files_starts_with_them_and_serves()
    {
        await WriteAsync("Privacy__PseudonymKey", service.Settings["Privacy:PseudonymKey"]!);
        await WriteAsync("Auth__SigningKey", service.SigningKey);
        // A receipt key version as its own secret file (PEM text), as a Kubernetes secret mounts it.
        var receiptKey = TestReceiptKeys.NewPem();
        await WriteAsync("Receipts__Keys__2026-12", receiptKey);

        var address = Assert.Single(await service.StartGatewayOnAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Privacy:PseudonymKey"] = null,
            ["Auth:SigningKey"] = null,
            [$"Receipts:Keys:{TestReceiptKeys.Id}"] = null,
            ["Secrets:Directory"] = _directory,
        }));
        var configuration = service.Gateways[^1].Services.GetRequiredService<IConfiguration>();
        using var http = new HttpClient { BaseAddress = address };
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var report = await http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));

        Assert.Equal(service.SigningKey, configuration["Auth:SigningKey"]);
        Assert.Equal(service.Settings["Privacy:PseudonymKey"], configuration["Privacy:PseudonymKey"]);
        Assert.Equal(receiptKey.TrimEnd(), configuration["Receipts:Keys:2026-12"]?.TrimEnd());
        var published = JsonNode.Parse(await http.GetStringAsync("/.well-known/prime-directive/keys.json"))!["keys"]!.AsArray();
        Assert.Contains(published, key => (string?)key!["kid"] == "2026-12" && (string?)key["crv"] == "Ed25519");
        Assert.DoesNotContain(published, key => (string?)key!["kid"] == TestReceiptKeys.Id);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        // Keyed with the same pseudonym key as the first gateway: the operator sees the cluster through either.
        using var held = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
    }

    [Fact]
    public async Task A_silo_process_whose_pseudonym_key_is_only_a_file_passes_its_start_checks_with_it()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await WriteAsync("Privacy__PseudonymKey", key);

        using var silo = SiloHost.CreateBuilder([.. SiloArguments(), $"--Secrets:Directory={_directory}"]).Build();

        silo.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(key, silo.Services.GetRequiredService<IConfiguration>()["Privacy:PseudonymKey"]);
    }

    [Fact]
    public void A_secrets_directory_that_is_not_there_stops_the_silo_process()
    {
        var missing = Path.Combine(_directory, "not-mounted");

        Assert.Throws<DirectoryNotFoundException>(() => SiloHost.CreateBuilder([.. SiloArguments(), $"--Secrets:Directory={missing}"]));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task WriteAsync(string key, string value) => File.WriteAllTextAsync(Path.Combine(_directory, key), value);

    private static IEnumerable<string> SiloArguments() =>
    [
        $"--contentRoot={AppContext.BaseDirectory}",
        $"--Orleans:SiloPort={FreePort.Next()}",
        $"--Orleans:GatewayPort={FreePort.Next()}",
        $"--Outbox:Directory={Path.Combine(Path.GetTempPath(), $"pd-outbox-{Guid.NewGuid():N}")}",
        .. TestCertificates.Cluster.Silo.Arguments,
    ];
}
