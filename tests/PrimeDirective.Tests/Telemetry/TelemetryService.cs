using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// The sharing service (PostgreSQL, an officer, loopback processors allowed) with every trace sampled and every span and
/// metric point of its silo and gateways exported to memory, after the service's own redaction, as OTLP would receive them.
/// </summary>
public sealed class TelemetryService : SharingService
{
    public TelemetryService()
        : base(TimeSpan.FromSeconds(1))
    {
        Settings["Telemetry:SampleRatio"] = "1";
    }

    /// <summary>Every span exported by any of the service's processes.</summary>
    public ExportedCollection<Activity> Spans { get; } = new();

    /// <summary>Every metric stream exported by any of the service's processes.</summary>
    public ExportedCollection<MetricSnapshot> Metrics { get; } = new();

    protected override string Purpose => "telemetry";

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        base.ConfigureSilo(silo);
        Export(silo.Services);
    }

    protected override void ConfigureGateway(WebApplicationBuilder builder) => Export(builder.Services);

    /// <summary>Flushes every process's pipelines and renders all they exported as one text: names, attributes, events, statuses.</summary>
    public string ExportedText()
    {
        foreach (var services in Silos.Select(silo => silo.Services).Concat(Gateways.Select(gateway => gateway.Services)))
        {
            services.GetRequiredService<TracerProvider>().ForceFlush();
            services.GetRequiredService<MeterProvider>().ForceFlush();
        }

        var text = new StringBuilder();
        foreach (var span in Spans.Snapshot())
        {
            text.Append(CultureInfo.InvariantCulture, $"span {span.Source.Name} {span.OperationName} {span.DisplayName} {span.Status} {span.StatusDescription} {span.TraceStateString}\n");
            Append(text, span.TagObjects);
            Append(text, span.Baggage.Select(item => new KeyValuePair<string, object?>(item.Key, item.Value)));
            foreach (var e in span.Events)
            {
                text.Append(CultureInfo.InvariantCulture, $" event {e.Name}\n");
                Append(text, e.Tags);
            }

            foreach (var link in span.Links)
            {
                Append(text, link.Tags ?? []);
            }
        }

        foreach (var metric in Metrics.Snapshot())
        {
            text.Append(CultureInfo.InvariantCulture, $"metric {metric.MeterName} {metric.Name} {metric.Unit} {metric.Description}\n");
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    text.Append(CultureInfo.InvariantCulture, $"  {tag.Key}={tag.Value}\n");
                }
            }
        }

        return text.ToString();
    }

    private void Export(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics));
    }

    private static void Append(StringBuilder text, IEnumerable<KeyValuePair<string, object?>> tags)
    {
        foreach (var (key, value) in tags)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {key}={value}\n");
        }
    }

    /// <summary>What exporters on several threads of several processes added, safely.</summary>
    public sealed class ExportedCollection<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public List<T> Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(T item) => Snapshot().Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(T item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryFixture : ICollectionFixture<TelemetryService>
{
    public const string Name = "telemetry service";
}
