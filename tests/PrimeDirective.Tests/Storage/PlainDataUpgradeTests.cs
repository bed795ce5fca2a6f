using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Storage;

/// <summary>
/// Upgrade in place of what the release before sealing stored plain (<c>tests/fixtures/report-log-v014.sql</c>: a
/// person's, an email index entry's and three clusters' grain states, and a crash report's text): a silo started on that
/// database seals every one before serving, and each still reads back as it was written.
/// </summary>
public sealed class PlainDataUpgradeTests
{
    [Fact]
    public async Task Grain_states_and_crash_text_stored_plain_by_the_previous_release_are_sealed_at_silo_start_and_still_read_back()
    {
        await using var service = await ServiceHost.StartOwnedAsync<PreviousReleaseService>();
        var plain = service.PlainStates;
        Assert.Equal(5, plain.Count);
        var database = service.Database;

        // Nothing plain is left: every state is the sealed envelope, none was lost, and no canary of the person or the
        // crash report is readable in any table, plain, hex or base64.
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "select count(*) from grain_state where payload_binary is not null and jsonb_typeof(convert_from(payload_binary, 'UTF8')::jsonb -> 'sealed') is distinct from 'string'"));
        Assert.Equal((long)plain.Count, await database.ScalarAsync<long>(
            "select count(*) from grain_state where jsonb_typeof(convert_from(payload_binary, 'UTF8')::jsonb -> 'sealed') = 'string'"));
        var user = JsonNode.Parse(plain.Single(state => state.Type == "user").Json)!;
        var crashText = JsonNode.Parse(service.Expected.Clusters.SelectMany(cluster => cluster.Items).Single(item => item.Category == Grains.Interfaces.Privacy.DataCategory.CrashReport).Value!)!;
        string[] canaries = [(string)user["Email"]!, (string)user["Name"]!, (string)crashText["message"]!, (string)crashText["stack"]!];
        foreach (var canary in canaries)
        {
            var bytes = Encoding.UTF8.GetBytes(canary);
            foreach (var needle in new[] { canary, Convert.ToHexString(bytes), Convert.ToBase64String(bytes) })
            {
                Assert.Equal(0L, await database.CountRowsContainingAsync(needle, openSealed: false));
            }
        }

        // Each state opens, under its subject's key, to exactly what the previous release wrote.
        foreach (var state in plain)
        {
            Assert.Equal(state.Json, await database.GrainStateJsonAsync(state.Key));
        }

        // And the service reads them: the person's profile through their grain, the crash report through real HTTP (now
        // said to be encrypted at rest).
        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        var record = await grains.GetGrain<IUserGrain>(plain.Single(state => state.Type == "user").Key).GetAsync();
        Assert.NotNull(record);
        Assert.Equal(((string)user["Name"]!, (string)user["Email"]!, DateOnly.Parse((string)user["BirthDate"]!, System.Globalization.CultureInfo.InvariantCulture)),
            (record.Profile.Name, record.Profile.Email, record.Profile.BirthDate));
        var flynn = service.Expected.Clusters.Single(cluster => cluster.Name == "flynn-with-crash");
        using (var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{flynn.Cluster}", flynn.Bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var crash = Assert.Single((await Json.ReadAsync(response))["items"]!.AsArray(), item => (string)item!["category"]! == "crash-report")!;
            Assert.Equal(crashText.ToJsonString(), JsonNode.Parse((string)crash["value"]!)!.ToJsonString());
            Assert.True((bool)crash["protection"]!["encryptedAtRest"]!);
            Assert.Equal("per-value", (string?)crash["protection"]!["sealing"]);
        }

        // Resumable and idempotent: another start (here the step alone, as a second silo would run it) finds nothing plain
        // and changes nothing.
        var sealedOnce = await database.ScalarAsync<string>("select string_agg(encode(payload_binary, 'base64'), ',' order by grain_id_extension_string, grain_type_string) from grain_state");
        var reportsOnce = await database.ScalarAsync<string>("select string_agg(items::text, ',' order by subject_key, report_id) from report");
        var again = new PlainDataUpgrade(
            service.Silos[0].Services.GetRequiredService<Sealer>(),
            new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString }),
            NullLogger<PlainDataUpgrade>.Instance);
        Assert.Equal((0, 0), await again.RunAsync(CancellationToken.None));
        Assert.Equal(sealedOnce, await database.ScalarAsync<string>("select string_agg(encode(payload_binary, 'base64'), ',' order by grain_id_extension_string, grain_type_string) from grain_state"));
        Assert.Equal(reportsOnce, await database.ScalarAsync<string>("select string_agg(items::text, ',' order by subject_key, report_id) from report"));
    }

    /// <summary>
    /// The service started on the previous release's database: its service id (grain states are stored under it) and its
    /// pseudonym key (so the gateway finds the same subjects), the plain states read before the silo starts.
    /// </summary>
    internal sealed class PreviousReleaseService : ServiceHost
    {
        public ReportRowUpgradeTests.Fixture Expected { get; } = ReportRowUpgradeTests.Expected();

        public List<(string Type, string Key, string Json)> PlainStates { get; } = [];

        protected override string Purpose => "plain_upgrade";

        protected override async Task StartSilosAsync()
        {
            await ReportRowUpgradeTests.LoadFixtureIntoAsync(Database);
            await using (var connection = new NpgsqlConnection(Database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("select grain_type_string, grain_id_extension_string, payload_binary, service_id from grain_state where payload_binary is not null", connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    PlainStates.Add((reader.GetString(0), reader.GetString(1), Encoding.UTF8.GetString((byte[])reader[2])));
                    Settings["Orleans:ServiceId"] = reader.GetString(3);
                }
            }

            Settings["Privacy:PseudonymKey"] = Expected.PseudonymKey;
            await base.StartSilosAsync();
        }
    }
}
