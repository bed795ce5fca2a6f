using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// An erasure propagates to every processor that received the subject's data: an OpenDSR 2.0 request fitted to its
/// discovery, signed with our certificate (<c>X-OpenDSR-Signature</c>) and, if it registered a secret, HMAC
/// (<c>X-PrimeDirective-Signature</c>), retried by this request's own reminder with growing waits until each acknowledges.
/// Our own erasure never waits for them; the receipt shows <c>propagated: pending</c> until they all answered. Owns
/// <see cref="PrivacyRequestState.ProcessorNotices"/> and <see cref="PrivacyRequestState.PropagationCapturedFor"/>: one
/// notice per processor and subject, each captured once; a notice's body (the identities) goes once it is answered or abandoned.
/// </summary>
/// <param name="document">The request's state.</param>
/// <param name="processors">Where processors are found and told.</param>
/// <param name="reminder">The request's propagation reminder: retries while any notice is open.</param>
/// <param name="attemptNow">Starts a first attempt at once (a reminder due at once would first fire a period later).</param>
/// <param name="logger">The grain's logger.</param>
/// <param name="openWork">The request's row in the open-work mirror the propagation gauge counts: there while any notice is open.</param>
public sealed partial class ProcessorPropagation(
    SubjectDocument<PrivacyRequestState> document, ProcessorChannel processors, IReminderSlot reminder, Action attemptNow, ILogger logger, OpenWorkSlot openWork)
{
    /// <summary>The longest wait between two attempts to one processor.</summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

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
                var (subjectRequestId, body) = processors.OpenDsr.Compose(recipients!.Identities, current.SubmittedAt, current.RequestId!);
                current.ProcessorNotices.Add(new ProcessorNotice { ProcessorId = processorId, SubjectKey = subjectKey, SubjectRequestId = subjectRequestId, Body = body, CapturedAt = now });
            }

            current.PropagationCapturedFor.Add(subjectKey);
            return (true, true);
        });
        if (document.State.ProcessorNotices.Any(notice => notice.SubjectKey == subjectKey))
        {
            // The reminder retries; the first attempt is now (a reminder due at once would first fire a period later).
            await reminder.SetAsync(Sharing.RetryPeriod, Sharing.RetryPeriod);
            await MirrorAsync();
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
            var sent = delivery is null ? null : await processors.OpenDsr.SendAsync(delivery, body, pending.Adapted);
            var answer = sent?.Status;
            var acknowledged = sent?.Acknowledged == true;
            await document.UpdateAsync(now =>
            {
                // Decided on the stored notice: after a write conflict the list is re-read.
                if (Stored(pending) is not { } notice || !IsOpen(notice))
                {
                    return (false, false);
                }

                notice.Attempts++;
                notice.LastAnswer = answer;
                notice.Evidence = sent?.Evidence ?? notice.Evidence;
                if (sent?.Body is { } fitted)
                {
                    // Fitted to the processor's discovery once: every retry sends these same bytes.
                    notice.Body = fitted;
                    notice.Adapted = true;
                }

                if (acknowledged)
                {
                    // Answered: the identities it carried have no purpose left here.
                    notice.AcknowledgedAt = now;
                    notice.Body = null;
                }
                else if (sent?.Refusal is { } refusal)
                {
                    // Its discovery rules the request out: no retry can fix it, so what it would carry is destroyed now.
                    notice.Refusal = refusal;
                    notice.AbandonedAt = now;
                    notice.Body = null;
                    notice.NextAttemptAt = null;
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

        // On every tick, so a crash between a state write and its mirror (or a request older than it) is mended.
        await MirrorAsync();
        if (!document.State.ProcessorNotices.Any(IsOpen))
        {
            await reminder.ClearAsync();
        }
    }

    /// <summary>Keeps the request's open-work row as its notices are: there, since the oldest open one was captured, while any is open.</summary>
    private Task MirrorAsync()
    {
        var open = document.State.ProcessorNotices.Where(IsOpen).ToList();
        return open.Count == 0
            ? openWork.CloseAsync()
            : openWork.OpenAsync("pending", open.Min(notice => notice.CapturedAt ?? document.State.SubmittedAt));
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
        var now = document.Now;
        return notices.Count == 0 ? view : view with
        {
            Propagated = notices.Any(IsOpen) ? "pending" : notices.Any(notice => notice.AbandonedAt is not null) ? "abandoned" : "acknowledged",
            Processors = [.. notices.Select(notice =>
            {
                var expected = notice.ExpectedCompletionAt ?? notice.Evidence?.ExpectedCompletionTime;
                return new ProcessorErasureOutcome(
                    notice.ProcessorId, Status(notice), notice.Attempts, notice.LastAnswer, notice.AcknowledgedAt, notice.AbandonedAt,
                    notice.Refusal, notice.Evidence, notice.ReportedStatus, expected,
                    Overdue: notice.AcknowledgedAt is not null && expected < now && notice.ReportedStatus is not ("completed" or "cancelled"));
            })],
        };
    }

    public async Task<bool> RecordOpenDsrStatusAsync(OpenDsrStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return await document.UpdateAsync(now =>
        {
            // Decided on the stored notice: after a write conflict the list is re-read.
            var notice = document.State.ProcessorNotices.FirstOrDefault(known =>
                known.ProcessorId == report.ProcessorId && known.SubjectRequestId is { } id && string.Equals(id, report.SubjectRequestId, StringComparison.OrdinalIgnoreCase));
            if (notice is null)
            {
                return (false, false);
            }

            // A replayed or late callback never moves the status back; it is still a known notice.
            if (!OpenDsrNames.MayFollow(notice.ReportedStatus, report.Status))
            {
                return (false, true);
            }

            notice.ReportedStatus = report.Status;
            notice.ReportedAt = now;
            notice.ExpectedCompletionAt = report.ExpectedCompletionTime;
            return (true, true);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId}: erasure notice to processor {ProcessorId} answered {Status}")]
    private static partial void LogPropagation(ILogger logger, string requestId, string processorId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Privacy request {RequestId}: erasure notice to processor {ProcessorId} abandoned unanswered after {Attempts} attempt(s)")]
    private static partial void LogAbandoned(ILogger logger, string requestId, string processorId, int attempts);
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

    /// <summary>The OpenDSR <c>subject_request_id</c> this processor was sent (its callbacks name it).</summary>
    public string? SubjectRequestId { get; set; }

    /// <summary>Whether <see cref="Body"/> was fitted to the processor's discovery (then it is sent as it is).</summary>
    public bool Adapted { get; set; }

    /// <summary>Why it was closed unsent, if the processor's discovery rules it out.</summary>
    public string? Refusal { get; set; }

    /// <summary>The processor's signed answer, as kept (never its <c>encoded_request</c>).</summary>
    public OpenDsrEvidence? Evidence { get; set; }

    /// <summary>The last status the processor reported in a verified callback.</summary>
    public string? ReportedStatus { get; set; }

    /// <summary>When that callback came.</summary>
    public DateTimeOffset? ReportedAt { get; set; }

    /// <summary>When the processor last said it expects to complete.</summary>
    public DateTimeOffset? ExpectedCompletionAt { get; set; }
}
