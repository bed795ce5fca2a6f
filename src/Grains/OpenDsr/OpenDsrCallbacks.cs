using System.Text.Json;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>
/// The status callbacks a controller's request owes (OpenDSR §8.5-8.6): every change is queued for each of its
/// <c>status_callback_urls</c> in the same write as the change, posted signed with our certificate's key, and retried with
/// growing waits (by the request's reminder, so a crash loses none) until each URL answers 2xx: at least once.
/// </summary>
/// <param name="state">The request's state, which holds the callbacks owed.</param>
/// <param name="http">Our outbound HTTP.</param>
/// <param name="keys">Our OpenDSR signing keys.</param>
/// <param name="pacing">Real time: waits between attempts pace calls to a controller, they are no policy deadline.</param>
/// <param name="retryPeriod">The first wait after a failed attempt (doubling, up to an hour).</param>
/// <param name="onUnknownOutcome">Deactivates the grain after a write whose outcome is unknown.</param>
/// <param name="resultsUrl">The request's <c>results_url</c> once it has one (derived, never stored), told in a <c>completed</c> callback.</param>
/// <param name="metrics">Where each attempt's outcome is counted (absent in component tests).</param>
public sealed class OpenDsrCallbacks(
    IPersistentState<OpenDsrInboundState> state, SharingHttp http, OpenDsrKeyRing keys, TimeProvider pacing, TimeSpan retryPeriod, Action onUnknownOutcome,
    Func<OpenDsrInboundState, string?> resultsUrl, OpenDsrMetrics? metrics = null)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    /// <summary>How long a callback is retried before it is given up.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    /// <summary>Queues the current status for every callback URL (inside the write that changed it).</summary>
    public void Queue(OpenDsrInboundState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var now = pacing.GetUtcNow();
        foreach (var url in current.CallbackUrls)
        {
            current.Callbacks.Add(new OpenDsrCallbackDue { Url = url, Status = current.Status, QueuedAt = now });
        }
    }

    /// <summary>Whether any callback is still owed.</summary>
    public static bool AnyOpen(OpenDsrInboundState current) => current?.Callbacks.Any(IsOpen) == true;

    /// <summary>Posts every owed callback whose wait is over, in the order the changes happened, and records each answer.</summary>
    public async Task DeliverAsync()
    {
        foreach (var due in state.State.Callbacks.Where(IsOpen).ToList())
        {
            var now = pacing.GetUtcNow();
            if (due.NextAttemptAt is { } next && next > now)
            {
                continue;
            }

            var abandon = due.QueuedAt + Lifetime <= now;
            int? answer = null;
            if (!abandon && Body(state.State, due, due.Status == "completed" ? resultsUrl(state.State) : null) is { } body && keys.Sign(body) is { } signature)
            {
                var headers = new Dictionary<string, string>
                {
                    [OpenDsrNames.DomainHeader] = keys.Domain ?? string.Empty,
                    [OpenDsrNames.SignatureHeader] = signature,
                };
                answer = (await http.SendAsync(HttpMethod.Post, due.Url, body, headers, maxBodyBytes: 4096))?.Status;
            }

            var outcome = await state.UpdateAsync<OpenDsrInboundState, string?>(
                () =>
                {
                    // Decided on the stored entry: after a write conflict the list is re-read.
                    if (state.State.Callbacks.FirstOrDefault(known => known.Url == due.Url && known.Status == due.Status) is not { } stored || !IsOpen(stored))
                    {
                        return (false, null);
                    }

                    stored.Attempts++;
                    stored.LastAnswer = answer;
                    if (abandon)
                    {
                        stored.AbandonedAt = now;
                        return (true, "abandoned");
                    }

                    if (answer is >= 200 and < 300)
                    {
                        stored.DeliveredAt = now;
                        return (true, "delivered");
                    }

                    var wait = retryPeriod * Math.Pow(2, Math.Min(stored.Attempts - 1, 20));
                    stored.NextAttemptAt = now + (wait < MaxBackoff ? wait : MaxBackoff);
                    return (true, "retry");
                },
                onUnknownOutcome);
            if (outcome is not null)
            {
                metrics?.Callback(outcome);
            }
        }
    }

    private static bool IsOpen(OpenDsrCallbackDue due) => due.DeliveredAt is null && due.AbandonedAt is null;

    /// <summary>The callback's body (§8.6), the same bytes on every attempt.</summary>
    private static byte[]? Body(OpenDsrInboundState current, OpenDsrCallbackDue due, string? resultsUrl)
    {
        if (current is not { ControllerId: { } controllerId, SubjectRequestId: { } subjectRequestId, ExpectedCompletionAt: { } expected })
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("controller_id", controllerId);
            json.WriteString("expected_completion_time", expected.ToUniversalTime());
            json.WriteString("status_callback_url", due.Url);
            json.WriteString("subject_request_id", subjectRequestId);
            json.WriteString("request_status", due.Status);
            if (resultsUrl is not null)
            {
                json.WriteString("results_url", resultsUrl);
                json.WriteNumber("results_count", current.ResultsCount ?? 0);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
