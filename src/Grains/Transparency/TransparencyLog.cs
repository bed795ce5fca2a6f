using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Transparency;

namespace PrimeDirective.Grains.Transparency;

/// <summary>One count for the transparency report: nothing in it names a request or a person.</summary>
/// <param name="Id">Makes a repeat count once (a hash of the counting grain's key and measure, or a random id).</param>
/// <param name="Period">The half-year it falls in.</param>
/// <param name="Measure">What is counted (<see cref="TransparencyMeasures"/>).</param>
/// <param name="Kind">The authority kind or request kind; empty for a gag.</param>
/// <param name="Days">Whole days a completed request took.</param>
public sealed record TransparencyEvent(string Id, string Period, string Measure, string Kind, int? Days = null);

/// <summary>Each region's counts for the transparency report (V023, table <c>transparency_event</c>): rows, not grain state, as they grow with time.</summary>
public interface ITransparencyLog
{
    /// <summary>Counts the event once: a repeat of its id changes nothing.</summary>
    Task RecordAsync(string region, TransparencyEvent counted);

    /// <summary>The region's counts, summed by period, measure, kind and days.</summary>
    Task<ImmutableArray<TransparencyTally>> TalliesAsync(string region);
}

/// <summary>The transparency log of the in-memory development mode.</summary>
internal sealed class InMemoryTransparencyLog : ITransparencyLog
{
    private readonly Dictionary<(string Region, string Id), TransparencyEvent> _events = [];

    private readonly Lock _lock = new();

    public Task RecordAsync(string region, TransparencyEvent counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        lock (_lock)
        {
            _events.TryAdd((region, counted.Id), counted);
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<TransparencyTally>> TalliesAsync(string region)
    {
        lock (_lock)
        {
            return Task.FromResult<ImmutableArray<TransparencyTally>>([.. _events.Where(pair => pair.Key.Region == region).Select(pair => pair.Value)
                .GroupBy(counted => (counted.Period, counted.Measure, counted.Kind, counted.Days))
                .Select(group => new TransparencyTally(group.Key.Period, group.Key.Measure, group.Key.Kind, group.Key.Days, group.LongCount()))]);
        }
    }
}
