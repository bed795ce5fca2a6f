using System.Diagnostics.Metrics;

namespace PrimeDirective.RetentionBench;

/// <summary>
/// Listens to Orleans' own instruments in this process: reminders the local reminder service holds in memory, and how
/// late it delivered reminder ticks (<c>orleans-reminders-tardiness</c>, seconds).
/// </summary>
internal sealed class OrleansMeters : IDisposable
{
    private const string MeterName = "Microsoft.Orleans";
    private const string ActiveReminders = "orleans-reminders-active";
    private const string Tardiness = "orleans-reminders-tardiness";
    private const string TicksDelivered = "orleans-reminders-ticks-delivered";

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private long _ticks;
    private long _tardyTicks;
    private double _tardinessSum;
    private double _tardinessMax;

    public OrleansMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is ActiveReminders or Tardiness or TicksDelivered)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Record(instrument, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Record(instrument, value));
        _listener.Start();
    }

    /// <summary>Reminders the local reminder service holds in memory now (running or tombstoned).</summary>
    public long LocalReminderCount => (long)Gauge(ActiveReminders);

    /// <summary>Ticks delivered, and their tardiness, since the last <see cref="ResetTicks"/>.</summary>
    public (long Ticks, double MeanTardiness, double MaxTardiness) TickStats()
    {
        lock (_lock)
        {
            return (Math.Max(_ticks, _tardyTicks), _tardyTicks == 0 ? 0 : _tardinessSum / _tardyTicks, _tardinessMax);
        }
    }

    public void ResetTicks()
    {
        lock (_lock)
        {
            (_ticks, _tardyTicks, _tardinessSum, _tardinessMax) = (0, 0, 0, 0);
        }
    }

    public void Dispose() => _listener.Dispose();

    private double Gauge(string name)
    {
        _listener.RecordObservableInstruments();
        lock (_lock)
        {
            return _gauges.GetValueOrDefault(name);
        }
    }

    private void Record(Instrument instrument, double value)
    {
        lock (_lock)
        {
            switch (instrument.Name)
            {
                case Tardiness:
                    _tardyTicks++;
                    _tardinessSum += value;
                    _tardinessMax = Math.Max(_tardinessMax, value);
                    break;
                case TicksDelivered:
                    _ticks += (long)value;
                    break;
                // An observable instrument reports the current value; a plain up-down counter reports changes.
                case var name when instrument.IsObservable:
                    _gauges[name] = value;
                    break;
                case var name:
                    _gauges[name] = _gauges.GetValueOrDefault(name) + value;
                    break;
            }
        }
    }
}
