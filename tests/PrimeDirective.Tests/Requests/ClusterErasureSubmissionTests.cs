using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Requests;

/// <summary>An operator's erasure the cluster accepted is carried out even when submitting its request failed.</summary>
public sealed class ClusterErasureSubmissionTests
{
    [Fact]
    public async Task An_erasure_whose_submission_failed_after_the_cluster_recorded_it_is_submitted_again_and_erases_the_cluster()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FailingSubmissionService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.230";
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address), HttpStatusCode.OK);

        // The cluster records the request, then the submission fails: the operator is told to retry.
        using (var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, erase.StatusCode);
            Assert.True(erase.Headers.RetryAfter is not null);
        }

        var requestId = await service.Submissions.Failed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Nobody retries; the cluster's reminder submits the request again, and it erases the cluster.
        await Eventually.ReturnsAsync(
            async () => await service.Database.CountRowsContainingAsync(cluster) + await service.Database.CountRowsContainingAsync(bootstrap) +
                await service.Database.CountRowsContainingAsync(address),
            rows => rows == 0,
            TimeSpan.FromSeconds(60),
            "the cluster erased by the request it accepted");
        var request = await Eventually.ReturnsAsync(
            async () => JsonNode.Parse(await service.Database.GrainStateJsonAsync(UserKeys.ForRequest(requestId)) ?? "null"),
            json => json?.ToJsonString().Contains("\"completed\"", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "the resubmitted request completed");
        Assert.Contains("\"cluster\"", request!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(service.Logs.GetSnapshot(), record => record.Message.Contains($"Erasure request {requestId} had not arrived", StringComparison.Ordinal));
        using var gone = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>Retries every second; the first submission of a cluster erasure fails after the cluster recorded it.</summary>
    public sealed class FailingSubmissionService : ServiceHost
    {
        public FailingSubmissionService()
        {
            Settings["Requests:RetryPeriod"] = "00:00:01";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        public FailFirstSubmission Submissions { get; } = new();

        protected override string Purpose => "erasure-submit";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.Replace(ServiceDescriptor.Singleton<IPrivacyRequestFaults>(Submissions));
        }
    }

    /// <summary>Throws, as a lost connection would, at the first submission of any request.</summary>
    public sealed class FailFirstSubmission : IPrivacyRequestFaults
    {
        public TaskCompletionSource<string> Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task BeforeStepAsync(string requestId, string stepName)
        {
            if (stepName == "submit" && Failed.TrySetResult(requestId))
            {
                throw new TimeoutException("Injected: the submission did not get through.");
            }

            return Task.CompletedTask;
        }

        public Task AfterStepAsync(string requestId, string stepName) => Task.CompletedTask;
    }
}
