using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Requests;

/// <summary>An erasure whose silo dies between two steps resumes on another silo, without redoing what was done.</summary>
public sealed class ErasureCrashTests
{
    private static readonly TimeSpan s_recovery = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_erasure_killed_before_its_account_step_resumes_on_a_new_silo_and_erases_each_subject_once()
    {
        await using var service = await ServiceHost.StartOwnedAsync<AccountStepCrashService>();
        var http = service.Http;
        var person = await service.SignUpAsync("eu");
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.201";
        await Erasure.SendAsync(http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address), HttpStatusCode.OK);
        Assert.Equal("eu", await Erasure.LinkAsync(http, person, cluster, bootstrap));
        string[] personal = [person.Email, person.Name, person.UserId, cluster, bootstrap, address];
        await Erasure.AssertEveryNeedleStoredAsync(service.Database, personal);

        var (requestId, receiptUrl) = await Erasure.EraseAsync(service, person);
        var blocked = await service.Steps.HeldStepReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(requestId, blocked);

        // Persisted before the crash: the account closed, the cluster and the email entry gone; only the account's row
        // (which still lists the link) is left.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, person.Request(HttpMethod.Get, "/v1/me")));
        var (userKeys, clusterKeys) = Erasure.KeysOf(service);
        Assert.Equal((0L, 0L), await Erasure.RowsOfGrainAsync(service.Database, clusterKeys.For("eu", cluster)));
        Assert.Equal((0L, 0L), await Erasure.RowsOfGrainAsync(service.Database, userKeys.ForEmail("eu", person.Email)));
        Assert.Equal((1L, 0L), await Erasure.RowsOfGrainAsync(service.Database, userKeys.ForUser(person.UserId)));
        await Erasure.AssertNoRowContainsAsync(service.Database, bootstrap, address);
        foreach (var needle in new[] { person.Email, person.UserId, cluster })
        {
            Assert.Equal(1, await service.Database.CountRowsContainingAsync(needle));
        }

        var requestKey = UserKeys.ForRequest(requestId);
        var persisted = JsonNode.Parse(await service.Database.GrainStateJsonAsync(requestKey) ?? "null");
        Assert.NotNull(persisted);
        Assert.Equal("in-progress", (string?)Member(persisted, "status"));
        Assert.Equal(["cluster", "email-index"], Member(persisted, "receipts").AsArray().Select(item => (string?)Member(item!, "subject")).Order(StringComparer.Ordinal));

        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();
        var receipt = await Erasure.CompletedReceiptAsync(http, receiptUrl, s_recovery);

        var receipts = Erasure.Receipts(receipt, requestId);
        Assert.Equal([("account", "eu"), ("cluster", "eu"), ("email-index", "eu")], receipts.Select(item => (item.Subject, item.Region)).Order());
        Assert.Single(receipts, item => item.Subject == "cluster");
        Assert.All(receipts, item => Assert.All(item.Counts.Values, count => Assert.True(count > 0)));
        Erasure.AssertReceiptNamesNone(receipt, personal);

        // The new silo ran only the step that was left (retried, perhaps); the steps done before the crash were not run again.
        var steps = service.Steps.Of(requestId);
        Assert.Equal(["close", "cluster", "email-index", "account"], steps.Take(4));
        Assert.NotEmpty(steps.Skip(4));
        Assert.All(steps.Skip(4), step => Assert.Equal("account", step));
        await Erasure.AssertNoRowContainsAsync(service.Database, personal);
        Assert.Equal((0L, 0L), await Erasure.RowsOfGrainAsync(service.Database, userKeys.ForUser(person.UserId)));
        await Eventually.ReturnsAsync(
            async () => (await Erasure.RowsOfGrainAsync(service.Database, requestKey)).Reminders,
            reminders => reminders == 0,
            TimeSpan.FromSeconds(10),
            "the completed request's reminder removed");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, person.Request(HttpMethod.Get, "/v1/me")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap)));
    }

    [Fact]
    public async Task A_step_that_finished_just_before_a_crash_keeps_its_receipt_when_the_erasure_resumes()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ClusterStepDoneCrashService>();
        var http = service.Http;
        var person = await service.SignUpAsync("eu");
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        await Erasure.SendAsync(http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "198.51.100.202"), HttpStatusCode.OK);
        Assert.Equal("eu", await Erasure.LinkAsync(http, person, cluster, bootstrap));

        var (requestId, receiptUrl) = await Erasure.EraseAsync(service, person);
        Assert.Equal(requestId, await service.Steps.HeldStepReached.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        // The cluster is destroyed, but the request never heard: its answer dies with the silo.
        var (_, clusterKeys) = Erasure.KeysOf(service);
        Assert.Equal((0L, 0L), await Erasure.RowsOfGrainAsync(service.Database, clusterKeys.For("eu", cluster)));
        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();
        var receipt = await Erasure.CompletedReceiptAsync(http, receiptUrl, s_recovery);

        // The resumed step found nothing left; the receipt still says what it destroyed, once.
        var clusterReceipt = Assert.Single(Erasure.Receipts(receipt, requestId), item => item.Subject == "cluster");
        Assert.Equal(2, clusterReceipt.Counts["identifier"]);
        Assert.Equal(1, clusterReceipt.Counts["ip-address"]);
        Assert.Contains(Erasure.Receipts(receipt, requestId), item => item.Subject == "account");
        await Erasure.AssertNoRowContainsAsync(service.Database, person.Email, person.Name, person.UserId, cluster, bootstrap, "198.51.100.202");
    }

    /// <summary>A member of stored state JSON, whatever casing the storage serializer uses.</summary>
    private static JsonNode Member(JsonNode node, string name) =>
        node.AsObject().Single(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase)).Value!;

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        using (var response = await http.SendAsync(request))
        {
            return response.StatusCode;
        }
    }

    /// <summary>Reminders every 2 s, and a fault that holds the first account step it sees until its silo stops.</summary>
    public class AccountStepCrashService : ServiceHost
    {
        public AccountStepCrashService() => Settings["Requests:RetryPeriod"] = "00:00:02";

        /// <summary>Every step reached, by request; shared by all silos of this service.</summary>
        public StepLog Steps { get; } = new();

        protected override string Purpose => "erasure-crash";

        /// <summary>The step held, and whether it is held after it ran (before the request recorded it) or before.</summary>
        protected virtual (string Step, bool After) Held => ("account", false);

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.Replace(ServiceDescriptor.Singleton<IPrivacyRequestFaults>(provider =>
                new HoldFirstStep(Steps, Held, provider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping)));
        }
    }

    /// <summary>The fault holds the first cluster step after it destroyed the cluster and before the request recorded it.</summary>
    public sealed class ClusterStepDoneCrashService : AccountStepCrashService
    {
        protected override (string Step, bool After) Held => ("cluster", true);
    }

    /// <summary>The steps each request reached, in order, and the first account step of any request.</summary>
    public sealed class StepLog
    {
        private readonly ConcurrentQueue<(string RequestId, string Step)> _steps = new();
        private int _accountStepHeld;

        public TaskCompletionSource<string> HeldStepReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Record(string requestId, string step) => _steps.Enqueue((requestId, step));

        /// <summary>True only for the first <paramref name="held"/> step ever reached (whichever silo reaches it).</summary>
        public bool HoldThisOne(string requestId, string step, string held)
        {
            if (step != held || Interlocked.Exchange(ref _accountStepHeld, 1) == 1)
            {
                return false;
            }

            HeldStepReached.TrySetResult(requestId);
            return true;
        }

        /// <summary>The steps that act on a subject; the legal-hold check before the account's steps only reads.</summary>
        public List<string> Of(string requestId) =>
            [.. _steps.Where(entry => entry.RequestId == requestId && entry.Step != "hold").Select(entry => entry.Step)];
    }

    /// <summary>
    /// One silo's fault: holds the first of the named steps (before or after it runs) until the silo stops, and once the
    /// silo is stopping lets no step run or be recorded there (so a dying silo cannot finish what the new silo resumes).
    /// </summary>
    private sealed class HoldFirstStep(StepLog log, (string Step, bool After) held, CancellationToken siloStopping) : IPrivacyRequestFaults
    {
        public async Task BeforeStepAsync(string requestId, string stepName)
        {
            siloStopping.ThrowIfCancellationRequested();
            log.Record(requestId, stepName);
            if (!held.After && log.HoldThisOne(requestId, stepName, held.Step))
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, siloStopping);
            }
        }

        public async Task AfterStepAsync(string requestId, string stepName)
        {
            siloStopping.ThrowIfCancellationRequested();
            if (held.After && log.HoldThisOne(requestId, stepName, held.Step))
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, siloStopping);
            }
        }
    }
}
