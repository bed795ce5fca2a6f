using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// Inbound <c>baggage</c> and <c>tracestate</c> are whatever a caller chose to send: the gateway reads neither, so no
/// activity it starts, and no grain call made for the request, carries them; the request's <c>traceparent</c> is kept.
/// </summary>
[Collection(TelemetryFixture.Name)]
public sealed class BaggageTests(TelemetryService service)
{
    [Fact]
    public async Task Inbound_baggage_and_tracestate_reach_no_activity_of_the_gateway_or_its_grain_calls()
    {
        var person = await service.SignUpAsync();
        var canary = $"baggage-canary-{Guid.NewGuid():N}";
        var traceId = ActivityTraceId.CreateRandom();
        var started = new ConcurrentQueue<(ActivityTraceId TraceId, string Source, string? Baggage, string? TraceState)>();

        // Seen as each activity starts, before any processor of ours runs at its end.
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => started.Enqueue((activity.TraceId, activity.Source.Name,
                string.Join(",", activity.Baggage.Select(item => $"{item.Key}={item.Value}")), activity.TraceStateString)),
        };
        ActivitySource.AddActivityListener(listener);

        using (var request = person.Request(HttpMethod.Get, "/v1/me"))
        {
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
            request.Headers.Add("tracestate", $"vendor={canary}");
            request.Headers.Add("baggage", $"pd.canary={canary}");
            using var me = await service.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        // The request was traced under the caller's trace id, through the gateway and into grains.
        var traced = started.Where(activity => activity.TraceId == traceId).ToList();
        Assert.Contains(traced, activity => activity.Source == "Microsoft.AspNetCore");
        Assert.Contains(traced, activity => activity.Source.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        Assert.All(started, activity =>
        {
            Assert.DoesNotContain(canary, activity.Baggage ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(canary, activity.TraceState ?? string.Empty, StringComparison.Ordinal);
        });
    }
}
