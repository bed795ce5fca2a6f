using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// An erasure propagates to every processor that received the subject's data: an OpenDSR-shaped request, signed
/// (<c>X-OpenDSR-Signature</c>), retried by this request's own reminder with growing waits until each answers 2xx.
/// Our own erasure never waits for them; the receipt shows <c>propagated: pending</c> until they all answered. Owns
/// <see cref="PrivacyRequestState.ProcessorNotices"/> and <see cref="PrivacyRequestState.PropagationCapturedFor"/>: one
/// notice per processor and subject, each captured once; a notice's body (the identities) goes once it is answered or abandoned.
/// </summary>
/// <param name="document">The request's state.</param>
/// <param name="processors">Where processors are found and told.</param>
/// <param name="reminder">The request's propagation reminder: retries while any notice is open.</param>
/// <param name="attemptNow">Starts a first attempt at once (a reminder due at once would first fire a period later).</param>
/// <param name="logger">The grain's logger.</param>
public sealed partial class ProcessorPropagation(
    SubjectDocument<PrivacyRequestState> document, ProcessorChannel processors, IReminderSlot reminder, Action attemptNow, ILogger logger)
{
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
    public async Task CaptureAsync(string subjectKey, IDisclosureSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (IsCaptured(document.State, subjectKey))
        {
            return;
        }

        var recipients = await subject.ErasureRecipientsAsync();
        await document.UpdateAsync(now =>
        {
            var current = document.State;
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
        if (document.State.ProcessorNotices.Any(notice => notice.SubjectKey == subjectKey))
        {
            // The reminder retries; the first attempt is now (a reminder due at once would first fire a period later).
            await reminder.SetAsync(Sharing.RetryPeriod, Sharing.RetryPeriod);
            attemptNow();
        }
    }

    // Requests written before clusters were captured too marked only the person's capture, with a flag.
    private static bool IsCaptured(PrivacyRequestState current, string subjectKey) =>
        current.PropagationCapturedFor.Contains(subjectKey) ||
        (current.PropagationCaptured && current.Plan?.UserKey == subjectKey);

    /// <summary>
    /// Sends every open notice whose wait is over, and abandons (destroying what it carries) each one still unacknowledged
    /// after <c>Sharing:PropagationLifetime</c>; stops the reminder once none is open.
    /// </summary>
    public async Task PropagateAsync()
    {
        foreach (var pending in document.State.ProcessorNotices.Where(IsOpen).ToList())
        {
            if ((pending.CapturedAt ?? document.State.SubmittedAt) + Sharing.PropagationLifetime <= document.Now)
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
            await document.UpdateAsync(now =>
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
            LogPropagation(logger, document.State.RequestId ?? "?", pending.ProcessorId, answer ?? 0);
        }

        if (!document.State.ProcessorNotices.Any(IsOpen))
        {
            await reminder.ClearAsync();
        }
    }

    /// <summary>Gives a notice up: the identities it carries are destroyed, and the receipt says it was abandoned.</summary>
    private async Task AbandonAsync(ProcessorNotice pending)
    {
        var abandoned = await document.UpdateAsync(now =>
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
            LogAbandoned(logger, document.State.RequestId ?? "?", pending.ProcessorId, pending.Attempts);
        }
    }

    // Decided on the stored notice: after a write conflict the list is re-read.
    private ProcessorNotice? Stored(ProcessorNotice pending) =>
        document.State.ProcessorNotices.FirstOrDefault(known => known.ProcessorId == pending.ProcessorId && known.SubjectKey == pending.SubjectKey);

    private static bool IsOpen(ProcessorNotice notice) => notice.AcknowledgedAt is null && notice.AbandonedAt is null;

    /// <summary>
    /// The view with each processor's answer, when the erasure reached any: <c>pending</c> while any notice is open, then
    /// <c>abandoned</c> if any processor never answered within the propagation lifetime, else <c>acknowledged</c>.
    /// </summary>
    public PrivacyRequestView View(PrivacyRequestView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var notices = document.State.ProcessorNotices;
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
            document.State.RequestId!),
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
