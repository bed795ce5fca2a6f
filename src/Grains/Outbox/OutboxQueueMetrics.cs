using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// The silo's own send queue: messages handed to its <see cref="OutboxSender"/> and not yet reported back to their owner,
/// read from memory at each scrape. Unlabelled: each silo reports its own queue (the scrape target tells silos apart).
/// </summary>
public sealed class OutboxQueueMetrics
{
    private Func<int> _depth = () => 0;

    public OutboxQueueMetrics(IMeterFactory meters) =>
        PrimeDirectiveMeter.Create(meters).CreateObservableGauge("prime_directive.outbox.queue", () => _depth(),
            "{message}", "Messages in this silo's send queue: handed to its sender, not yet reported back to their owner (sending, or waiting to retry).");

    /// <summary>Publishes the size of <paramref name="queue"/> (the sender's messages by id) and returns it.</summary>
    internal ConcurrentDictionary<string, TDelivery> Watch<TDelivery>(ConcurrentDictionary<string, TDelivery> queue)
    {
        _depth = () => queue.Count;
        return queue;
    }
}
