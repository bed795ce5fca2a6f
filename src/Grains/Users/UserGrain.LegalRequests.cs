using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// A person told about legal requests for their data, once per request and stage, in the account and by email; while a
/// request's gag runs nothing it caused shows in the person's views. An erasure destroys each request's link to them.
/// </summary>
public sealed partial class UserGrain : ILegalRequestSubject
{
    public async Task<bool> TrackLegalRequestAsync(string requestId, DateTimeOffset? gagUntil)
    {
        if (state.State.UserId is null)
        {
            return false;
        }

        var waiting = await UpdateAsync(_ =>
        {
            var current = state.State;
            var tracked = !current.LegalRequestIds.Contains(requestId);
            if (tracked)
            {
                current.LegalRequestIds.Add(requestId);
            }

            if (gagUntil is not { } until || !GaggedAudit.Extend(current, requestId, until))
            {
                return (tracked, (List<string>)[]);
            }

            if (current.LegalHold is { } hold && hold.LegalRequestId == requestId)
            {
                current.LegalHold = hold with { SecretUntil = until };
            }

            return (true, current.WaitingErasures.ToList());
        });

        // A longer gag: erasures the hold defers look at it again, so their status keeps hiding it until the new end.
        await LegalHolds.ResumeAsync(GrainFactory, waiting);
        return true;
    }

    public async Task<bool> NotifyLegalRequestAsync(LegalRequestNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);

        // An account closed by an erasure that a hold defers is still told: the data is still here.
        if (state.State.UserId is null)
        {
            return false;
        }

        if (state.State.Notifications.Any(known => known.Id == notice.NoticeId))
        {
            return true;
        }

        await ArmOutboxAsync();
        var queued = Outbox.Prepare(Messages.LegalRequest(state.State.Email!, state.State.Name!, notice.Title, notice.Text), time.GetUtcNow() + Outbox.NoticeLifetime);
        var displaced = await UpdateAsync(now =>
        {
            var current = state.State;
            if (current.UserId is null || current.Notifications.Any(known => known.Id == notice.NoticeId))
            {
                return (false, new List<string>());
            }

            current.Notifications.Add(new Notification(notice.NoticeId, now, "legal-request", notice.Text));
            current.Audit.Add(new AuditEntry(now, "legal-request-notified", $"request {notice.RequestId}: {notice.Stage}"));
            return (true, Queue(current, queued));
        });
        Outbox.Withdraw(displaced);
        HandOutgoing();
        await ReportEmailFailuresAsync();
        return true;
    }

    public async Task EndGagAsync(string requestId) =>
        await UpdateAsync(now => (state.State.UserId is not null && GaggedAudit.Release(state.State, requestId, now), true));

    public async Task HideDisclosureAsync(string disclosureId, DateTimeOffset until)
    {
        // Kept beside the chained entry, so a gag extension does not rewrite a hashed entry.
        await UpdateAsync(_ => (state.State.IsActive && (!state.State.DisclosureGags.TryGetValue(disclosureId, out var known) || known < until),
            state.State.DisclosureGags[disclosureId] = until));
    }

    /// <summary>Before the account is destroyed: each legal request about the person forgets who they were (it keeps what the law needs).</summary>
    private Task ForgetLegalRequestsAsync() => Task.WhenAll(state.State.LegalRequestIds.Select(requestId =>
        GrainFactory.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId)).ForgetSubjectAsync(Key)));
}
