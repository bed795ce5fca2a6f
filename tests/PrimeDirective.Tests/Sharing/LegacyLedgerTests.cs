using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Users;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Storage;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// Ledgers written before the chain was keyed are versioned, not rewritten: their entries keep verifying as plain SHA-256
/// (only as the chain's beginning), and the upgrade (V010) pins each one's count and head in the evidence table.
/// </summary>
public sealed class LegacyLedgerTests
{
    private const string SubjectKey = "eu/legacy-subject";

    [Fact]
    public async Task A_ledger_written_before_the_chain_was_keyed_keeps_verifying_and_the_upgrade_pins_its_count_and_head()
    {
        await using var database = await TestDatabase.CreateAsync("legacy_ledger");
        var first = Legacy(Entry("Partner One"), DisclosureLedger.Genesis);
        var second = Legacy(Entry("Partner Two"), first.Hash);
        var stored = new UserState { UserId = $"eu-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}", DisclosureLedger = [first, second], DisclosureHead = second.Hash };

        // The database as the previous version left it: every migration before V010 applied, the ledger in the grain's state.
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            var previous = SchemaMigrator.Migrations.Where(migration => migration.Version < 10).ToList();
            var script = string.Join('\n', SchemaMigrationTests.MigrationResources()
                    .Where(name => previous.Any(migration => name.EndsWith($".V{migration.Version:000}__{migration.Name}.sql", StringComparison.Ordinal)))
                    .Select(SchemaMigrationTests.ReadResource)) +
                """
                create table schema_migration (version integer primary key, name text not null, applied_at timestamptz not null default now());
                insert into schema_migration (version, name) select * from unnest(@versions, @names);
                insert into grain_state (service_id, grain_type_string, grain_type_hash, grain_id_n0, grain_id_n1, grain_id_extension_string, grain_id_hash, payload_binary, version)
                values ('prime-directive', 'user', 11, 0, 0, @key, 12, convert_to(@payload, 'UTF8'), 3);
                """;
            await using var command = new NpgsqlCommand(script, connection);
            command.Parameters.AddWithValue("versions", previous.Select(migration => migration.Version).ToArray());
            command.Parameters.AddWithValue("names", previous.Select(migration => migration.Name).ToArray());
            command.Parameters.AddWithValue("key", SubjectKey);
            command.Parameters.AddWithValue("payload", JsonSerializer.Serialize(stored));
            await command.ExecuteNonQueryAsync();
        }

        await new SchemaMigrator(new FakeLogger<SchemaMigrator>()).ApplyAsync(database.ConnectionString, CancellationToken.None);

        var migrated = await database.ScalarAsync<string>(
            "select format('%s|%s|%s|%s|%s', seq, entries, head, event, key_version) from disclosure_evidence where subject_key = @key", ("key", SubjectKey));
        Assert.Equal($"1|2|{second.Hash}|migrated|0", migrated);

        var ledger = new DisclosureLedger(
            new LedgerKeyRing(Options.Create(new SharingOptions()), Options.Create(new PrivacyOptions { PseudonymKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) })),
            new PostgresDisclosureEvidence(new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString })));
        var intact = await ledger.VerifyAsync(stored, "eu", SubjectKey);
        Assert.Equal((true, "intact", 2, 2), (intact!.Valid, intact.Status, intact.Entries, intact.EvidenceEntries));

        // The next disclosure is sealed with the key and continues both the chain and the evidence.
        var keyed = ledger.Append(stored, SubjectKey, Entry("Partner Three"), await ledger.LastSeqAsync(stored, "eu", SubjectKey), DateTimeOffset.UtcNow);
        await ledger.RecordOwedAsync(stored, "eu");
        Assert.Equal(1, keyed.KeyVersion);
        Assert.Equal(second.Hash, keyed.PreviousHash);
        var extended = await ledger.VerifyAsync(stored, "eu", SubjectKey);
        Assert.Equal((true, 3, 3), (extended!.Valid, extended.Entries, extended.EvidenceEntries));

        // An unkeyed entry after a keyed one is a forgery, whatever its SHA-256 says.
        var downgraded = Legacy(Entry("Partner Four"), keyed.Hash);
        stored.DisclosureLedger.Add(downgraded);
        stored.DisclosureHead = downgraded.Hash;
        var broken = await ledger.VerifyAsync(stored, "eu", SubjectKey);
        Assert.Equal((false, "entry-altered", 3), (broken!.Valid, broken.Problem, broken.FirstBrokenIndex));
    }

    private static DisclosureEntry Entry(string recipient) => new(
        Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, recipient, DisclosureBasis.Consent, [DataCategory.Account], DataPurpose.ServiceProvision,
        "The person asked us to share it.", null, "capability", false, null, null, string.Empty, string.Empty);

    private static DisclosureEntry Legacy(DisclosureEntry entry, string previous)
    {
        var chained = entry with { PreviousHash = previous };
        return chained with { Hash = DisclosureLedger.LegacyHash(chained) };
    }
}
