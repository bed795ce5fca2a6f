using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Requests;

/// <summary>
/// A person's linked clusters are erased at once, each in its own grain, not one after the other; and while the erasure
/// runs, its receipt answers at once (in progress) instead of waiting behind it.
/// </summary>
public sealed class ErasureConcurrencyTests
{
    [Fact]
    public async Task Linked_clusters_are_erased_together_and_the_receipt_answers_while_one_of_them_is_still_being_erased()
    {
        await using var service = await ServiceHost.StartOwnedAsync<GatedService>();
        var person = await service.SignUpAsync();
        var clusters = Enumerable.Range(0, 3).Select(_ => (Id: Flynn.NewId(), Bootstrap: Flynn.NewId())).ToList();
        foreach (var (id, bootstrap) in clusters)
        {
            await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(id, bootstrap), HttpStatusCode.OK);
            Assert.Equal("eu", await Erasure.LinkAsync(service.Http, person, id, bootstrap));
        }

        var (_, receiptUrl) = await Erasure.EraseAsync(service, person);
        await service.Gate.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The first cluster's step is held: the receipt still answers, in progress, and nothing is destroyed yet.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        using (var receipt = await service.Http.GetAsync(receiptUrl, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
            Assert.Equal("in-progress", (string?)JsonNode.Parse(await receipt.Content.ReadAsStringAsync())!["status"]);
        }

        Assert.False(service.Gate.Released);

        // The other clusters' steps start meanwhile, without waiting for the held one.
        await Eventually.ReturnsAsync(() => Task.FromResult(service.Gate.Entered), entered => entered == clusters.Count, TimeSpan.FromSeconds(30), "every cluster's step started");
        service.Gate.Release();

        // Then the request completes and every cluster is gone, each with its receipt.
        var done = await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(60));
        Assert.Equal(clusters.Count, done["receipts"]!.AsArray().Count(item => (string?)item!["subject"] == "cluster"));
        foreach (var (id, bootstrap) in clusters)
        {
            using var gone = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{id}", bootstrap));
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal(0, await service.Database.CountRowsContainingAsync(id));
        }
    }

    /// <summary>A silo whose erasure steps pass through <see cref="HoldFirstCluster"/>.</summary>
    public sealed class GatedService : ServiceHost
    {
        public HoldFirstCluster Gate { get; } = new();

        protected override string Purpose => "erasure-together";

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton<IPrivacyRequestFaults>(Gate));
    }

    /// <summary>Holds the first cluster step until released; counts the cluster steps that started.</summary>
    public sealed class HoldFirstCluster : IPrivacyRequestFaults
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entered;

        public TaskCompletionSource FirstEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Entered => Volatile.Read(ref _entered);

        public bool Released => _release.Task.IsCompleted;

        public void Release() => _release.TrySetResult();

        public async Task BeforeStepAsync(string requestId, string stepName)
        {
            if (stepName != "cluster")
            {
                return;
            }

            if (Interlocked.Increment(ref _entered) == 1)
            {
                FirstEntered.TrySetResult();

                // Never forever: a step left held would keep the silo from stopping.
                await _release.Task.WaitAsync(TimeSpan.FromSeconds(90));
            }
        }

        public Task AfterStepAsync(string requestId, string stepName) => Task.CompletedTask;
    }
}
