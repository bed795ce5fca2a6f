using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// An erasure propagates to every processor that received the subject's data: an OpenDSR-shaped request, signed
/// (<c>X-OpenDSR-Signature</c>), retried by this request's own reminder with growing waits until each answers 2xx.
/// Our own erasure never waits for them; the receipt shows <c>propagated: pending</c> until they all answered.
/// </summary>
public sealed partial class PrivacyRequestGrain
{
    private const string PropagationReminder = "propagate";

    /// <summary>The longest wait between two attempts to one processor.</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private static readonly JsonSerializerOptions OpenDsrJson = new() { WriteIndented = false };

    private SharingOptions Sharing => processors.Options;

    // Waits between attempts run on real time: they pace requests to a processor, they are no policy deadline.
    private TimeProvider RealTime => processors.Pacing;

    /// <summary>
    /// Before a subject (the person, or a cluster) is destroyed: who must be told, with the exact request each will
    /// receive (kept until it acknowledges). Each subject is captured once, whatever is retried.
    /// </summary>
    private async Task CapturePropagationAsync(string subjectKey, IDisclosureSubject subject)
    {
        if (IsCaptured(state.State, subjectKey))
        {
            return;
        }

        var recipients = await subject.ErasureRecipientsAsync();
        await UpdateAsync(now =>
        {
            var current = state.State;
            if (IsCaptured(current, subjectKey))
            {
                return (false, true);
            }

            foreach (var processorId in recipients?.ProcessorIds ?? [])
            {
                current.ProcessorNotices.Add(new ProcessorNotice { ProcessorId = processorId, SubjectKey = subjectKey, Body = OpenDsrBody(recipients!.Identities, now), CapturedAt = now });
            }

            current.PropagationCapturedFor.Add(subjectKey);
            return (true, true);
        });
        if (state.State.ProcessorNotices.Any(notice => notice.SubjectKey == subjectKey))
        {
            // The reminder retries; the first attempt is now (a reminder due at once would first fire a period later).
            await this.RegisterOrUpdateReminder(PropagationReminder, Sharing.RetryPeriod, Sharing.RetryPeriod);
            this.RegisterGrainTimer(_ => PropagateAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    /// <summary>A cluster's processors, and its packages destroyed, unless a legal hold keeps the cluster now (then on the resumed attempt).</summary>
    private async Task CaptureClusterPropagationAsync(string clusterKey, IClusterGrain cluster)
    {
        if (await cluster.GetLegalHoldAsync() is { } hold && Retention.ExpirySchedule.Defers(hold, time.GetUtcNow()))
        {
            return;
        }

        await CapturePropagationAsync(clusterKey, cluster.AsReference<IDisclosureSubject>());
        await DestroyPackagesAsync(clusterKey, cluster.AsReference<IDisclosureSubject>());
    }

    // Requests written before clusters were captured too marked only the person's capture, with a flag.
    private static bool IsCaptured(PrivacyRequestState current, string subjectKey) =>
        current.PropagationCapturedFor.Contains(subjectKey) ||
        (current.PropagationCaptured && current.Plan?.UserKey == subjectKey);

    /// <summary>
    /// Sends every open notice whose wait is over, and abandons (destroying what it carries) each one still unacknowledged
    /// after <c>Sharing:PropagationLifetime</c>; stops the reminder once none is open.
    /// </summary>
    private async Task PropagateAsync()
    {
        foreach (var pending in state.State.ProcessorNotices.Where(IsOpen).ToList())
        {
            if ((pending.CapturedAt ?? state.State.SubmittedAt) + Sharing.PropagationLifetime <= time.GetUtcNow())
            {
                await AbandonAsync(pending);
                continue;
            }

            if ((pending.NextAttemptAt is { } next && next > RealTime.GetUtcNow()) || pending.Body is not { } body)
            {
                continue;
            }

            var delivery = await processors.DeliveryAsync(pending.ProcessorId);
            var answer = delivery is null
                ? null
                : await processors.PostAsync(delivery.ErasureEndpoint, body, Signatures.OpenDsrHeader, delivery.Secret, ImmutableDictionary<string, string>.Empty);
            var acknowledged = answer is >= 200 and < 300;
            await UpdateAsync(now =>
            {
                // Decided on the stored notice: after a write conflict the list is re-read.
                if (Stored(pending) is not { } notice || !IsOpen(notice))
                {
                    return (false, false);
                }

                notice.Attempts++;
                notice.LastAnswer = answer;
                if (acknowledged)
                {
                    // Answered: the identities it carried have no purpose left here.
                    notice.AcknowledgedAt = now;
                    notice.Body = null;
                }
                else
                {
                    var wait = Sharing.RetryPeriod * Math.Pow(2, Math.Min(notice.Attempts - 1, 20));
                    notice.NextAttemptAt = RealTime.GetUtcNow() + (wait < MaxBackoff ? wait : MaxBackoff);
                }

                return (true, true);
            });
            LogPropagation(logger, state.State.RequestId ?? "?", pending.ProcessorId, answer ?? 0);
        }

        if (!state.State.ProcessorNotices.Any(IsOpen) && await this.GetReminder(PropagationReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Gives a notice up: the identities it carries are destroyed, and the receipt says it was abandoned.</summary>
    private async Task AbandonAsync(ProcessorNotice pending)
    {
        var abandoned = await UpdateAsync(now =>
        {
            if (Stored(pending) is not { } notice || !IsOpen(notice))
            {
                return (false, false);
            }

            notice.AbandonedAt = now;
            notice.Body = null;
            notice.NextAttemptAt = null;
            return (true, true);
        });
        if (abandoned)
        {
            LogAbandoned(logger, state.State.RequestId ?? "?", pending.ProcessorId, pending.Attempts);
        }
    }

    // Decided on the stored notice: after a write conflict the list is re-read.
    private ProcessorNotice? Stored(ProcessorNotice pending) =>
        state.State.ProcessorNotices.FirstOrDefault(known => known.ProcessorId == pending.ProcessorId && known.SubjectKey == pending.SubjectKey);

    private static bool IsOpen(ProcessorNotice notice) => notice.AcknowledgedAt is null && notice.AbandonedAt is null;

    /// <summary>
    /// The view with each processor's answer, when the erasure reached any: <c>pending</c> while any notice is open, then
    /// <c>abandoned</c> if any processor never answered within the propagation lifetime, else <c>acknowledged</c>.
    /// </summary>
    private PrivacyRequestView WithPropagation(PrivacyRequestView view)
    {
        var notices = state.State.ProcessorNotices;
        static string Status(ProcessorNotice notice) => notice.AcknowledgedAt is not null ? "acknowledged" : notice.AbandonedAt is not null ? "abandoned" : "pending";
        return notices.Count == 0 ? view : view with
        {
            Propagated = notices.Any(IsOpen) ? "pending" : notices.Any(notice => notice.AbandonedAt is not null) ? "abandoned" : "acknowledged",
            Processors = [.. notices.Select(notice => new ProcessorErasureOutcome(
                notice.ProcessorId, Status(notice), notice.Attempts, notice.LastAnswer, notice.AcknowledgedAt, notice.AbandonedAt))],
        };
    }

    private string OpenDsrBody(ImmutableArray<SubjectIdentity> identities, DateTimeOffset now) => JsonSerializer.Serialize(
        new OpenDsrRequest(
            Guid.NewGuid().ToString("D"),
            "erasure",
            [.. identities.Select(identity => new OpenDsrIdentity(identity.Type, identity.Value, "raw"))],
            now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "0.1",
            state.State.RequestId!),
        OpenDsrJson);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId}: erasure notice to processor {ProcessorId} answered {Status}")]
    private static partial void LogPropagation(ILogger logger, string requestId, string processorId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Privacy request {RequestId}: erasure notice to processor {ProcessorId} abandoned unanswered after {Attempts} attempt(s)")]
    private static partial void LogAbandoned(ILogger logger, string requestId, string processorId, int attempts);

    private sealed record OpenDsrIdentity(
        [property: JsonPropertyName("identity_type")] string Type,
        [property: JsonPropertyName("identity_value")] string Value,
        [property: JsonPropertyName("identity_format")] string Format);

    private sealed record OpenDsrRequest(
        [property: JsonPropertyName("subject_request_id")] string SubjectRequestId,
        [property: JsonPropertyName("subject_request_type")] string SubjectRequestType,
        [property: JsonPropertyName("subject_identities")] ImmutableArray<OpenDsrIdentity> SubjectIdentities,
        [property: JsonPropertyName("submitted_time")] string SubmittedTime,
        [property: JsonPropertyName("api_version")] string ApiVersion,
        [property: JsonPropertyName("controller_request_id")] string ControllerRequestId);
}

/// <summary>An erasure notice owed to one processor, kept with the request until the processor acknowledges it.</summary>
public sealed class ProcessorNotice
{
    public string ProcessorId { get; set; } = string.Empty;

    /// <summary>The subject (grain key, pseudonymous) the notice is about: one request may erase a person and their clusters.</summary>
    public string? SubjectKey { get; set; }

    /// <summary>The exact request body every attempt sends; dropped once acknowledged.</summary>
    [Interfaces.Privacy.PersonalData]
    public string? Body { get; set; }

    public int Attempts { get; set; }

    public int? LastAnswer { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }

    /// <summary>When the notice was captured (policy time); notices of earlier versions count from the request's submission.</summary>
    public DateTimeOffset? CapturedAt { get; set; }

    /// <summary>When it was given up unanswered, its body destroyed.</summary>
    public DateTimeOffset? AbandonedAt { get; set; }
}
