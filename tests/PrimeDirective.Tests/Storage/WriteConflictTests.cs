using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Users;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Storage;

/// <summary>
/// After a write conflict a grain decides again from the state another activation wrote, never from the snapshot it
/// held before: each test lets a duplicate activation write between a grain's read and its own write.
/// </summary>
public sealed class WriteConflictTests(WriteConflictTests.ConflictService service) : IClassFixture<WriteConflictTests.ConflictService>
{
    [Fact]
    public async Task Wrong_guesses_a_duplicate_activation_counted_still_burn_the_code()
    {
        var person = await service.SignUpAsync();
        var code = await SignInCodeAsync(person);
        var indexKey = Erasure.KeysOf(service).Users.ForEmail(person.Region, person.Email);

        // Another activation counted four wrong guesses while this one still holds none.
        var duplicateWrote = service.Duplicate.BeforeNextWrite<EmailIndexState>(
            indexKey, state => state.Pending is { Attempts: 1 }, state => state.Pending = state.Pending! with { Attempts = 4 });
        Assert.NotEqual(HttpStatusCode.OK, await VerifyStatusAsync(person.Email, WrongCode(code)));
        Assert.True(duplicateWrote.IsCompletedSuccessfully);

        // Five wrong guesses in all: the code is burned, even the right one no longer works.
        Assert.NotEqual(HttpStatusCode.OK, await VerifyStatusAsync(person.Email, code));
    }

    [Fact]
    public async Task A_code_a_duplicate_activation_issued_within_the_message_limit_is_neither_replaced_nor_followed_by_another_message()
    {
        var person = await service.SignUpAsync();
        var indexKey = Erasure.KeysOf(service).Users.ForEmail(person.Region, person.Email);
        var messagesBefore = (await service.Outbox.MessagesToAsync(person.Email)).Count;

        // Meanwhile a duplicate activation issued its own sign-in code, the last message the address may get for now.
        const string duplicateCode = "24681357";
        var duplicateWrote = service.Duplicate.BeforeNextWrite<EmailIndexState>(indexKey, state => state.Pending is { Kind: PendingKind.SignIn }, state =>
        {
            var salt = OneTimeCode.NewSalt();
            state.Pending = new PendingCode(
                PendingKind.SignIn, OneTimeCode.Hash(duplicateCode, salt), salt, DateTimeOffset.UtcNow.AddMinutes(10), 0, null, state.UserId);
            while (state.MessagesSent.Count < 5)
            {
                state.MessagesSent.Add(DateTimeOffset.UtcNow);
            }
        });
        using (var signIn = await service.Http.PostAsync("/v1/sessions", Json.Body(new { email = person.Email })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        }

        Assert.True(duplicateWrote.IsCompletedSuccessfully);

        // Nothing more was counted or queued: a queued message is stored in the same write that counts it.
        var stored = JsonNode.Parse(await service.Database.GrainStateJsonAsync(indexKey) ?? "null")!;
        Assert.Equal(5, Member(stored, "messagesSent").AsArray().Count);
        Assert.Empty(Member(stored, "outgoing").AsArray());
        Assert.Equal(messagesBefore, (await service.Outbox.MessagesToAsync(person.Email)).Count);
        Assert.Equal(HttpStatusCode.OK, await VerifyStatusAsync(person.Email, duplicateCode));
    }

    [Fact]
    public async Task An_earlier_expiry_a_duplicate_activation_stored_is_what_the_retention_reminder_waits_for()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var clusterKey = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        const string duplicateAddress = "192.0.2.177";

        // Another activation stored a report whose address expires in seconds ...
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(3);
        await InsertAddressAsync(clusterKey, "duplicate", expiresAt, duplicateAddress);

        // ... and wrote that expiry while this activation arms its reminder for its own report (an hour away).
        var duplicateWrote = service.Duplicate.BeforeNextWrite<ClusterState>(clusterKey, state => state.RetentionDueAt is not null, state =>
        {
            StoredAReportOf(state, cluster, bootstrap);
            state.EarliestReportExpiry = expiresAt;
            state.RetentionDueAt = expiresAt;
        });
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "198.51.100.177")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.True(duplicateWrote.IsCompletedSuccessfully);
        await Eventually.ReturnsAsync(
            () => service.Database.CountRowsContainingAsync(duplicateAddress),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the duplicate's address destroyed when it expires, not an hour later");

        // Only what expired went: the report of this activation is still held.
        Assert.Equal(1, await service.Database.CountRowsContainingAsync("198.51.100.177"));
    }

    [Fact]
    public async Task A_retention_run_that_meets_a_conflict_keeps_the_earlier_expiry_the_other_activation_stored()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var clusterKey = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        const string firstAddress = "192.0.2.191";
        const string laterAddress = "192.0.2.192";

        // A row due in seconds makes the retention run come soon (as in the test above) ...
        var firstExpiry = DateTimeOffset.UtcNow.AddSeconds(3);
        await InsertAddressAsync(clusterKey, "duplicate-1", firstExpiry, firstAddress);
        Task? laterWritten = null;
        var armed = service.Duplicate.BeforeNextWrite<ClusterState>(clusterKey, state => state.RetentionDueAt is not null, state =>
        {
            StoredAReportOf(state, cluster, bootstrap);
            state.EarliestReportExpiry = firstExpiry;
            state.RetentionDueAt = firstExpiry;

            // ... and once that run has deleted it and goes to record the next expiry (its own report's, an hour away),
            // another activation has just stored a report whose address is due in seconds and written that expiry.
            laterWritten = service.Duplicate.BeforeNextWrite<ClusterState>(
                clusterKey,
                next => next.EarliestReportExpiry > DateTimeOffset.UtcNow.AddMinutes(30),
                next =>
                {
                    // Off the grain's scheduler: the duplicate's write waits for its row, as a real one would.
                    var laterExpiry = DateTimeOffset.UtcNow.AddSeconds(2);
                    Task.Run(() => InsertAddressAsync(clusterKey, "duplicate-2", laterExpiry, laterAddress)).GetAwaiter().GetResult();
                    next.EarliestReportExpiry = laterExpiry;
                });
        });
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "198.51.100.191")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.True(armed.IsCompletedSuccessfully);
        Assert.NotNull(laterWritten);
        await laterWritten.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(firstAddress));

        // Decided again on the fresh state: the later address is destroyed when it expires, not with the report an hour on.
        await Eventually.ReturnsAsync(
            () => service.Database.CountRowsContainingAsync(laterAddress),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the address the other activation stored destroyed when it expires, not an hour later");
        Assert.Equal(1, await service.Database.CountRowsContainingAsync("198.51.100.191"));
    }

    /// <summary>
    /// What a duplicate activation that stored a report of the cluster holds besides the expiry: the cluster's ids. (A new
    /// cluster's first write records its reminder's due time, so a duplicate can meet that very first write.)
    /// </summary>
    private static void StoredAReportOf(ClusterState state, string cluster, string bootstrap)
    {
        state.ClusterId ??= cluster;
        state.BootstrapId ??= bootstrap;
        state.FirstSeenAt ??= DateTimeOffset.UtcNow;
    }

    private Task<int> InsertAddressAsync(string clusterKey, string reportId, DateTimeOffset expiresAt, string address) =>
        service.Database.ScalarAsync<int>(
            """
            insert into report (subject_key, report_id, collected_at, expires_at, items, ip_address)
            values (@key, @report, now(), @expires, jsonb_build_array(jsonb_build_object(
              'c', 'ip-address', 's', 'automatic', 'p', 'usage-statistics', 'n', true,
              'e', (extract(epoch from @expires::timestamptz) * 1000000)::bigint)), @address) returning 1
            """,
            ("key", clusterKey), ("report", reportId), ("expires", expiresAt.UtcDateTime), ("address", address));

    private async Task<string> SignInCodeAsync(Person person)
    {
        var seen = (await service.Outbox.MessagesToAsync(person.Email)).Count;
        using var signIn = await service.Http.PostAsync("/v1/sessions", Json.Body(new { email = person.Email }));
        Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        return await service.Outbox.NextCodeAsync(person.Email, seen);
    }

    private async Task<HttpStatusCode> VerifyStatusAsync(string email, string code)
    {
        using var verify = await service.Http.PostAsync("/v1/sessions/verify", Json.Body(new { email, code }));
        return verify.StatusCode;
    }

    /// <summary>A member of stored state JSON, whatever casing the storage serializer uses.</summary>
    private static JsonNode Member(JsonNode node, string name) =>
        node.AsObject().Single(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase)).Value!;

    private static string WrongCode(string code) => code == "00000000" ? "00000001" : "00000000";

    /// <summary>A service whose silo lets a duplicate activation write; retention of an hour, reminders every second.</summary>
    public sealed class ConflictService : ServiceHost
    {
        public ConflictService()
        {
            Settings["Retention:IpAddress"] = "01:00:00";
            Settings["Retention:RawReport"] = "01:00:00";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        public DuplicateActivation Duplicate { get; } = new();

        protected override string Purpose => "conflict";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            Duplicate.Install(silo);
        }
    }
}
