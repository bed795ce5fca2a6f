using System.Diagnostics;

namespace PrimeDirective.Gateway.Hosting;

/// <summary>
/// How the gateway reads a request's trace context: <c>traceparent</c> only. Inbound <c>baggage</c> and <c>tracestate</c>
/// are whatever the caller put in them, so neither is read, and none reaches a grain call, a log scope or a processor.
/// </summary>
internal sealed class InboundTraceContext(DistributedContextPropagator inner) : DistributedContextPropagator
{
    /// <summary>The propagator ASP.NET Core's hosting uses for every request.</summary>
    public static InboundTraceContext WithoutBaggage { get; } = new(CreateDefaultPropagator());

    public override IReadOnlyCollection<string> Fields => inner.Fields;

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) => inner.Inject(activity, carrier, setter);

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        inner.ExtractTraceIdAndState(carrier, getter, out traceId, out _);
        traceState = null;
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
