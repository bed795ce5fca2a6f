using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Telemetry;

/// <summary>
/// What telemetry may not carry, whoever recorded it (our code, ASP.NET Core, HttpClient, Orleans, Npgsql): paths, query
/// strings and full URLs (the route template stays), user agents, client and peer addresses, grain ids, SQL text,
/// connection strings, and exception messages and stack traces (the exception type stays).
/// </summary>
public static class TelemetryRedaction
{
    /// <summary>Attributes removed from every span, span event and metric stream.</summary>
    public static readonly FrozenSet<string> RemovedKeys = FrozenSet.ToFrozenSet(
    [
        "url.path", "url.query", "url.full", "http.target", "http.url", "http.request.method_original",
        "user_agent.original", "http.user_agent",
        "client.address", "client.port", "network.peer.address", "network.peer.port", "net.peer.ip", "net.sock.peer.addr",
        "db.statement", "db.query.text", "db.connection_string", "db.npgsql.data_source", "db.client.connection.pool.name",
        "db.client.connections.pool.name", "exception.message", "exception.stacktrace", "otel.status_description",
    ], StringComparer.Ordinal);

    // Orleans attributes that carry no grain id, activation or address (a grain key is pseudonymous, yet names one subject);
    // any other orleans.* or rpc.orleans.* attribute, a successor naming a grain included, is removed.
    private static readonly FrozenSet<string> s_orleansKept = FrozenSet.ToFrozenSet(
    [
        "orleans.grain.type", "orleans.rpc.service", "orleans.activation.cause", "orleans.deactivation.reason",
        "orleans.storage.provider", "orleans.storage.state.name", "orleans.storage.state.type", "orleans.placement.filter.type",
        "orleans.rehydrate.ignored", "orleans.rehydrate.ignored.reason", "orleans.journal.batch_size", "orleans.journal.bytes",
        "orleans.journal.operation", "orleans.durable_job.dequeue_count", "orleans.durable_job.status",
    ], StringComparer.Ordinal);

    /// <summary>
    /// Metric dimensions kept on instruments we did not write (every other one is aggregated away, so a dimension added
    /// by a later framework version is dropped, not exported): the semantic conventions' names that describe a request's
    /// shape, never its values. Our own meter's instruments keep their tags, which name reasons and regions only.
    /// </summary>
    public static readonly FrozenSet<string> FrameworkMetricTags = FrozenSet.ToFrozenSet(
    [
        "http.request.method", "http.response.status_code", "http.route", "url.scheme", "error.type",
        "network.protocol.name", "network.protocol.version", "network.transport", "network.type", "server.address", "server.port",
        "tls.protocol.version", "http.connection.state",
        "aspnetcore.routing.match_status", "aspnetcore.routing.is_fallback", "aspnetcore.rate_limiting.policy",
        "aspnetcore.rate_limiting.result", "aspnetcore.diagnostics.handler.type", "aspnetcore.diagnostics.exception.result",
        "aspnetcore.authentication.scheme", "aspnetcore.authentication.result", "aspnetcore.authorization.policy",
        "aspnetcore.authorization.result", "aspnetcore.memory_pool.owner",
        "db.system", "db.system.name", "db.namespace", "db.operation.name", "db.client.connection.state", "db.response.status_code",
        "gc.heap.generation", "dotnet.gc.heap.generation", "cpu.mode", "dotnet.gc.pause.reason",
        "orleans.grain.type",
    ], StringComparer.Ordinal);

    /// <summary>Whether an attribute named <paramref name="key"/> must not leave the process.</summary>
    public static bool Removes(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (RemovedKeys.Contains(key) || key.StartsWith("db.query.parameter.", StringComparison.Ordinal))
        {
            return true;
        }

        return (key.StartsWith("orleans.", StringComparison.Ordinal) || key.StartsWith("rpc.orleans.", StringComparison.Ordinal))
            && !s_orleansKept.Contains(key);
    }

    /// <summary>The metric stream of <paramref name="instrument"/>: ours as recorded, anyone else's reduced to <see cref="FrameworkMetricTags"/>.</summary>
    public static MetricStreamConfiguration? View(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return instrument.Meter.Name == PrimeDirectiveMeter.Name
            ? null
            : new MetricStreamConfiguration { TagKeys = [.. FrameworkMetricTags] };
    }
}

/// <summary>Removes what <see cref="TelemetryRedaction"/> names from every span when it ends, before any exporter sees it.</summary>
public sealed class RedactingSpanProcessor : BaseProcessor<Activity>
{
    // Activity has no API to remove an event: its list is replaced (the runtime's field, checked by the leak test); without it
    // a span whose events carry an exception message is not exported at all.
    private static readonly FieldInfo? s_events = typeof(Activity).GetField("_events", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <inheritdoc/>
    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        List<string>? removed = null;
        foreach (var tag in data.TagObjects)
        {
            if (TelemetryRedaction.Removes(tag.Key))
            {
                (removed ??= []).Add(tag.Key);
            }
        }

        foreach (var key in removed ?? [])
        {
            data.SetTag(key, null);
        }

        // A status description is an exception's message as often as not.
        if (data.StatusDescription is not null)
        {
            data.SetStatus(data.Status);
        }

        // Inbound tracestate and baggage are whatever a caller chose to send.
        data.TraceStateString = null;
        foreach (var item in data.Baggage.ToList())
        {
            data.SetBaggage(item.Key, null);
        }

        RedactEvents(data);
    }

    private static void RedactEvents(Activity data)
    {
        if (!data.Events.Any(e => e.Tags.Any(tag => TelemetryRedaction.Removes(tag.Key))))
        {
            return;
        }

        if (s_events is null)
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            return;
        }

        var events = data.Events.ToList();
        s_events.SetValue(data, null);
        foreach (var e in events)
        {
            var kept = new ActivityTagsCollection(e.Tags.Where(tag => !TelemetryRedaction.Removes(tag.Key)));
            data.AddEvent(new ActivityEvent(e.Name, e.Timestamp, kept));
        }
    }
}
