using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.OutboxQueue;

/// <summary>The silo's outbox queue gauge reads its own sender's queue: what was handed and not reported back, unlabelled.</summary>
public sealed class OutboxQueueMetricsTests
{
    [Fact]
    public void The_queue_gauge_counts_messages_handed_to_this_silo_and_drops_those_withdrawn_with_no_label()
    {
        var parts = new SiloParts();
        var other = new SiloParts();
        var owner = GrainId.Create("user", $"eu/{Guid.NewGuid():N}");
        Assert.Equal([0d], Queue(parts));

        // Not started: handed messages stay queued; handing one again changes nothing; another silo's queue is its own.
        parts.Sender.Hand(owner, [Message("m1"), Message("m2")]);
        parts.Sender.Hand(owner, [Message("m1")]);
        other.Sender.Hand(owner, [Message("m3")]);
        Assert.Equal([2d], Queue(parts));
        Assert.Equal([1d], Queue(other));

        parts.Sender.Withdraw(["m1"]);
        Assert.Equal([1d], Queue(parts));
    }

    private static QueuedMessage Message(string id) => new(id, "sealed", null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);

    /// <summary>Each value of the queue gauge of <paramref name="parts"/>' meters, as a scrape reads it; asserts it carries no label.</summary>
    private static List<double> Queue(SiloParts parts)
    {
        var values = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "prime_directive.outbox.queue" && ReferenceEquals(instrument.Meter.Scope, parts.Meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            Assert.Equal(0, tags.Length);
            values.Add(value);
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
