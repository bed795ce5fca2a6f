using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Sealing;
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
    public void A_silo_reads_its_key_store_and_every_KEK_version_from_the_secret_files_the_manifests_mount()
    {
        // Where the eu overlay's silo finds them: the key store's connection string among the files of Secrets__Directory
        // (a secret apart from the databases'), the KEKs as files of their own secret at KeyStore__KekDirectory.
        var overlay = DeployManifests.Rendered.Overlays.Single(overlay => overlay.Region == "eu");
        var silo = overlay.Workloads.Single(workload => workload.Container.Name == "silo");
        var kekSetting = Assert.Single(silo.Env, env => env.Name.StartsWith("KeyStore__", StringComparison.Ordinal) && env.Name.EndsWith("Directory", StringComparison.Ordinal));
        var kekSecret = ManifestReading.SecretMountedAt(silo, kekSetting.Value) ?? throw new InvalidOperationException($"nothing mounted at {kekSetting.Value}");
        var versions = overlay.ExampleSecrets.Single(secret => secret.Metadata.Name == kekSecret).StringData.Keys.ToList();
        var kekDirectory = Directory.CreateTempSubdirectory("pd-keks-").FullName;
        try
        {
            // The example's versions and the next one, as a rotation adds it; laid out as the kubelet writes a secret volume.
            var keks = versions.Append((versions.Max(int.Parse) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .ToDictionary(version => version, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), StringComparer.Ordinal);
            WriteAsKubeletDoes(kekDirectory, keks);
            var keyStore = service.KeyStore.ConnectionString;
            File.WriteAllText(Path.Combine(_directory, "ConnectionStrings__KeyStore"), keyStore);
            File.WriteAllText(Path.Combine(_directory, "ConnectionStrings__PrimeDirective"), service.Database.ConnectionString);
            File.WriteAllText(Path.Combine(_directory, "Privacy__PseudonymKey"), service.Settings["Privacy:PseudonymKey"]);

            using var host = SiloHost.CreateBuilder(
                [.. SiloArguments(), $"--Secrets:Directory={_directory}", $"--{kekSetting.Name.Replace("__", ":", StringComparison.Ordinal)}={kekDirectory}"]).Build();
            host.Services.GetRequiredService<IStartupValidator>().Validate();

            Assert.Equal(keyStore, host.Services.GetRequiredService<IConfiguration>().GetConnectionString("KeyStore"));
            var configured = host.Services.GetRequiredService<KeyEncryptionKeys>();
            Assert.Equal(keks.Keys.Select(int.Parse).Order(), configured.Versions);
            Assert.Equal(keks.Keys.Max(int.Parse), configured.Active);

            // A key wrapped under the oldest version elsewhere unwraps with the files' copy of it; the files' dot entries are no versions.
            var oldest = versions.Min(int.Parse);
            var elsewhere = new KeyEncryptionKeys(Options.Create(new KeyStoreOptions { Keks = new() { [$"{oldest}"] = keks[$"{oldest}"] } }), mayDrawRandom: false);
            var (id, material) = (Guid.NewGuid(), RandomNumberGenerator.GetBytes(32));
            Assert.Equal(material, configured.Unwrap(id, oldest, elsewhere.Wrap(id, material)));
        }
        finally
        {
            Directory.Delete(kekDirectory, recursive: true);
        }
    }

    /// <summary>A secret volume as the kubelet writes it: a timestamped directory, <c>..data</c> linking to it, each key a link into <c>..data</c>.</summary>
    private static void WriteAsKubeletDoes(string directory, IReadOnlyDictionary<string, string> keys)
    {
        var payload = Directory.CreateDirectory(Path.Combine(directory, "..2026_12_07_00_00_00.000000001")).FullName;
        foreach (var (key, value) in keys)
        {
            File.WriteAllText(Path.Combine(payload, key), value + "\n");
        }

        File.CreateSymbolicLink(Path.Combine(directory, "..data"), Path.GetFileName(payload));
        foreach (var key in keys.Keys)
        {
            File.CreateSymbolicLink(Path.Combine(directory, key), Path.Combine("..data", key));
        }
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
