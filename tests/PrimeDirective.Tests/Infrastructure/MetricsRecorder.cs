using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>One measurement of the <c>PrimeDirective</c> meter: the instrument, the value and its labels.</summary>
public sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Labels);

/// <summary>
/// Listens to the <c>PrimeDirective</c> meters created by the given meter factories only (one per silo or gateway host of a
/// service under test), so services of other test collections running in the same process never add to what it records.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();
    private readonly ConcurrentDictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);

    public MetricsRecorder(IEnumerable<IMeterFactory> factories)
    {
        var scopes = factories.Cast<object>().ToHashSet(ReferenceEqualityComparer.Instance);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PrimeDirectiveMeter.Name && instrument.Meter.Scope is { } scope && scopes.Contains(scope))
            {
                _instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The instruments of the listened meters, by name.</summary>
    public IReadOnlyDictionary<string, Instrument> Instruments => _instruments;

    /// <summary>Everything recorded so far (observable instruments only after <see cref="Observe"/>).</summary>
    public IReadOnlyList<RecordedMeasurement> Measurements => [.. _measurements];

    /// <summary>Reads every observable instrument once, as a scrape would.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] labels) =>
        Of(instrument, labels).Sum(measurement => measurement.Value);

    /// <summary>How many measurements <paramref name="instrument"/> recorded with <paramref name="labels"/> (a histogram's count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] labels) => Of(instrument, labels).Count();

    public void Dispose() => _listener.Dispose();

    private IEnumerable<RecordedMeasurement> Of(string instrument, (string Key, string Value)[] labels) =>
        _measurements.Where(measurement => measurement.Instrument == instrument &&
            labels.All(label => measurement.Labels.TryGetValue(label.Key, out var value) && value == label.Value));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            labels[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, labels));
    }
}
