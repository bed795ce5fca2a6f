using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// The disclosure ledger is sealed with a configured key and vouched for by the region's append-only evidence table: a
/// ledger emptied, rewritten or deleted in the database fails verification; an erased one verifies as erased.
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class LedgerEvidenceTests(SharingService service)
{
    private static readonly string[] s_usage = ["usage"];

    [Fact]
    public async Task Deleting_the_ledger_and_its_head_in_the_database_fails_verification_against_the_evidence()
    {
        var person = await ConsentingPersonAsync();
        var other = await ConsentingPersonAsync();
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner One"));
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner Two"));
        await service.DisclosedAsync(Sharing.ForPerson(other, "consent", "Partner One"));
        var sound = await service.VerifyAsync(person);
        Assert.True((bool)sound["valid"]!);
        Assert.Equal("intact", (string?)sound["status"]);
        Assert.Equal(2, (int)sound["evidenceEntries"]!);
        Assert.Equal((string?)sound["head"], (string?)sound["evidenceHead"]);

        // Someone with the database's credentials empties the ledger and its head, leaving the account as it was.
        Assert.Equal(1, await RewriteStateAsync(person, state =>
        {
            state["DisclosureLedger"] = new JsonArray();
            state["DisclosureHead"] = null;
        }));

        // Measured on the old code: "valid, 0 entries".
        var broken = await service.VerifyAsync(person);
        Assert.False((bool)broken["valid"]!);
        Assert.Equal("tampered", (string?)broken["status"]);
        Assert.Equal("evidence-count-mismatch", (string?)broken["problem"]);
        Assert.Equal(0, (int)broken["entries"]!);
        Assert.Equal(2, (int)broken["evidenceEntries"]!);

        // Nobody else's ledger is affected.
        Assert.True((bool)(await service.VerifyAsync(other))["valid"]!);
    }

    [Fact]
    public async Task A_chain_rewritten_with_plain_sha256_hashes_fails_as_its_entries_are_sealed_with_the_configured_key()
    {
        var person = await ConsentingPersonAsync();
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Research Partner A"));
        var entry = Assert.Single(await service.LedgerAsync(person))!;
        Assert.Equal(1, (int)entry["keyVersion"]!);

        // The recipient is changed and the chain recomputed as the old code's verifier would accept it: SHA-256, head moved too.
        Assert.Equal(1, await RewriteStateAsync(person, state =>
        {
            var stored = state["DisclosureLedger"]![0]!;
            var forged = JsonSerializer.Deserialize<DisclosureEntry>(stored.ToJsonString())! with { Recipient = "Research Partner Z" };
            forged = forged with { Hash = DisclosureLedger.LegacyHash(forged) };
            stored["Recipient"] = forged.Recipient;
            stored["Hash"] = forged.Hash;
            state["DisclosureHead"] = forged.Hash;
        }));

        var broken = await service.VerifyAsync(person);
        Assert.False((bool)broken["valid"]!);
        Assert.Equal("entry-altered", (string?)broken["problem"]);
        Assert.Equal(0, (int)broken["firstBrokenIndex"]!);
    }

    [Fact]
    public async Task The_evidence_table_refuses_update_delete_and_truncate_from_the_services_own_role()
    {
        var person = await ConsentingPersonAsync();
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner"));
        var rows = await service.Database.ScalarAsync<long>("select count(*) from disclosure_evidence");
        Assert.True(rows >= 1);

        // The connection the service itself uses (the role that owns the database and ran the migrations).
        await using var connection = new NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        foreach (var statement in new[]
        {
            "delete from disclosure_evidence",
            "update disclosure_evidence set entries = 0",
            "truncate disclosure_evidence",
            "insert into disclosure_evidence values ('eu/forged', 1, 0, repeat('0', 64), 'migrated', 0, '', now())",
        })
        {
            await using var command = new NpgsqlCommand(statement, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        // Even with the privilege granted back (the owner can), the trigger refuses; the grant is rolled back with it.
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var grant = new NpgsqlCommand("grant delete, update on disclosure_evidence to current_user", connection, transaction);
            await grant.ExecuteNonQueryAsync();
            await using var delete = new NpgsqlCommand("delete from disclosure_evidence", connection, transaction);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
            await transaction.RollbackAsync();
        }

        Assert.Equal(rows, await service.Database.ScalarAsync<long>("select count(*) from disclosure_evidence"));
        Assert.True((bool)(await service.VerifyAsync(person))["valid"]!);
    }

    [Fact]
    public async Task An_erased_person_verifies_as_erased_with_the_entry_count_and_one_deleted_outside_an_erasure_as_tampered()
    {
        var erased = await ConsentingPersonAsync();
        var deleted = await ConsentingPersonAsync();
        foreach (var person in new[] { erased, deleted })
        {
            await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner One"));
            await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner Two"));
        }

        await service.ReceiptWhenAsync(await service.EraseAsync(erased), "completed");

        // Measured on the old code: an erased person's verification was a 404, indistinguishable from a ledger removed.
        var afterErasure = await service.VerifyAsync(erased);
        Assert.True((bool)afterErasure["valid"]!);
        Assert.Equal("erased", (string?)afterErasure["status"]);
        Assert.Equal(0, (int)afterErasure["entries"]!);
        Assert.Equal(2, (int)afterErasure["evidenceEntries"]!);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(erased.Email));

        // The other person's whole row is deleted in the database, without any erasure.
        var key = Erasure.KeysOf(service).Users.ForUser(deleted.UserId);
        Assert.Equal(1, await service.Database.ScalarAsync<long>(
            "with gone as (delete from grain_state where grain_id_extension_string = @key returning 1) select count(*) from gone", ("key", key)));
        var removed = await service.VerifyAsync(deleted);
        Assert.False((bool)removed["valid"]!);
        Assert.Equal("tampered", (string?)removed["status"]);
        Assert.Equal("ledger-missing", (string?)removed["problem"]);

        // A person who never had a disclosure is still unknown to the route.
        using var unknown = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/disclosures/users/eu-{Guid.NewGuid():N}/verification"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_cluster_erased_and_seen_again_starts_a_new_ledger_that_verifies_after_its_destruction_row()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        await ReportAsync(cluster, bootstrap);
        await service.DisclosedAsync(HarmPrevention(cluster));
        using (var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            await service.ReceiptWhenAsync((string)(await Json.ReadAsync(erase))["receiptUrl"]!, "completed");
        }

        var erased = await VerifyClusterAsync(cluster);
        Assert.Equal("erased", (string?)erased["status"]);
        Assert.Equal(1, (int)erased["evidenceEntries"]!);

        // The same cluster reports again: a new life, whose ledger continues the evidence's numbering.
        await ReportAsync(cluster, bootstrap);
        var fresh = await VerifyClusterAsync(cluster);
        Assert.True((bool)fresh["valid"]!);
        Assert.Equal(0, (int)fresh["entries"]!);

        await service.DisclosedAsync(HarmPrevention(cluster));
        var again = await VerifyClusterAsync(cluster);
        Assert.True((bool)again["valid"]!);
        Assert.Equal("intact", (string?)again["status"]);
        Assert.Equal(1, (int)again["entries"]!);
        Assert.Equal(3L, await service.Database.ScalarAsync<long>(
            "select count(*) from disclosure_evidence where subject_key = @key", ("key", Erasure.KeysOf(service).Clusters.For("eu", cluster))));
    }

    private async Task<Person> ConsentingPersonAsync()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        return person;
    }

    /// <summary>Edits the person's stored state document as someone with database access could; the rows changed.</summary>
    private async Task<long> RewriteStateAsync(Person person, Action<JsonNode> edit)
    {
        var key = Erasure.KeysOf(service).Users.ForUser(person.UserId);
        var changed = await service.Database.RewriteGrainStateAsync(key, json =>
        {
            var state = JsonNode.Parse(json)!;
            edit(state);
            return state.ToJsonString();
        }) ? 1L : 0L;

        // The verification re-reads what is stored.
        return changed;
    }

    private async Task ReportAsync(string cluster, string bootstrap)
    {
        using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }

    private static object HarmPrevention(string cluster) => new
    {
        subject = new { clusterId = cluster, region = "eu" },
        recipient = "CERT-EU",
        basis = "harm-prevention",
        categories = s_usage,
        rationale = "The cluster is being used to attack public infrastructure right now.",
        protects = "the-public",
    };

    private async Task<JsonNode> VerifyClusterAsync(string cluster)
    {
        using var verify = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/disclosures/clusters/{cluster}/verification?region=eu"));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        return await Json.ReadAsync(verify);
    }
}
