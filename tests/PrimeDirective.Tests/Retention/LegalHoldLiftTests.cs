using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>Lifting a hold while the erasure it deferred is mid-turn: neither waits on the other.</summary>
public sealed class LegalHoldLiftTests
{
    [Fact]
    public async Task A_hold_lifted_while_the_deferred_erasure_is_running_answers_at_once_and_the_erasure_then_completes()
    {
        await using var service = await ServiceHost.StartOwnedAsync<GatedHoldCheckService>();
        var person = await service.SignUpAsync();
        var officer = await service.SignUpAsync();
        var admin = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        using (var place = await admin.SendAsync(officer.Request(
            HttpMethod.Put, $"/v1/admin/legal-holds/users/{person.UserId}", new { reason = "Litigation", reference = "LIT-41" })))
        {
            Assert.Equal(HttpStatusCode.OK, place.StatusCode);
        }

        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        await LegalHoldTests.StatusAsync(service, receiptUrl, "on-hold");

        // The request's reminder runs it again and stops inside its turn, just before it asks the account about the hold.
        await service.Gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            // The lift is a turn of the account that resumes the request, whose own turn is still running. It must not
            // wait for that turn: the lift answers while the request is still held inside it.
            using var lift = await admin.SendAsync(officer.Request(HttpMethod.Delete, $"/v1/admin/legal-holds/users/{person.UserId}"))
                .WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
            Assert.False(service.Gate.Released.Task.IsCompleted);
        }
        finally
        {
            service.Gate.Released.TrySetResult();
        }

        // Let go, the running turn asks the account, finds the hold lifted and erases it.
        var done = await LegalHoldTests.StatusAsync(service, receiptUrl, "completed");
        Assert.Contains(done["receipts"]!.AsArray(), entry => (string?)entry!["subject"] == "account");
        foreach (var value in new[] { person.Email, person.Name, person.UserId })
        {
            Assert.Equal(0, await service.Database.CountRowsContainingAsync(value));
        }

        Assert.DoesNotContain(service.Logs.GetSnapshot(), record => record.Message.Contains("TimeoutException", StringComparison.Ordinal));
    }

    /// <summary>Requests retried every second; the second hold check of any request waits at a gate the test opens.</summary>
    public sealed class GatedHoldCheckService : ServiceHost
    {
        public GatedHoldCheckService() => Settings["Requests:RetryPeriod"] = "00:00:01";

        public HoldCheckGate Gate { get; } = new();

        protected override string Purpose => "hold-lift";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.Replace(ServiceDescriptor.Singleton<IPrivacyRequestFaults>(Gate));
        }
    }

    /// <summary>Lets the first hold check through (it defers the erasure) and holds the second until released.</summary>
    public sealed class HoldCheckGate : IPrivacyRequestFaults
    {
        private int _checks;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task BeforeStepAsync(string requestId, string stepName)
        {
            if (stepName == "hold" && Interlocked.Increment(ref _checks) == 2)
            {
                Reached.TrySetResult();
                await Released.Task;
            }
        }

        public Task AfterStepAsync(string requestId, string stepName) => Task.CompletedTask;
    }
}
