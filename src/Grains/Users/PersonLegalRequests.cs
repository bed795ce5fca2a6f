using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// A person told about legal requests for their data, once per request and stage, in the account and by email; while a
/// request's gag runs nothing it caused shows in the person's views. An erasure destroys each request's link to them.
/// </summary>
public sealed class PersonLegalRequests(
    IPersistentState<UserState> state, PersonNotices notices, LegalHolds<UserState> holds, IGrainFactory grains, TimeProvider time, ISubjectHost host)
{
    /// <summary>Remembers a request about the person and its gag (or a gag's later end); <c>false</c> if the account is gone.</summary>
    public async Task<bool> TrackAsync(string requestId, DateTimeOffset? gagUntil)
    {
        if (state.State.UserId is null)
        {
            return false;
        }

        var waiting = await state.UpdateAsync(time, _ =>
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
        }, host.DeactivateOnIdle);

        // A longer gag: erasures the hold defers look at it again, so their status keeps hiding it until the new end.
        await holds.ResumeAsync(waiting);
        return true;
    }

    /// <summary>Adds a notice about a request once (keyed by its id) and emails it; <c>false</c> if the account is gone.</summary>
    public async Task<bool> NotifyAsync(LegalRequestNotice notice)
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

        await notices.NotifyAsync(Messages.LegalRequest(state.State.Email!, state.State.Name!, notice.Title, notice.Text), campaign: null, (current, now) =>
        {
            if (current.UserId is null || current.Notifications.Any(known => known.Id == notice.NoticeId))
            {
                return (false, false);
            }

            current.Notifications.Add(new Notification(notice.NoticeId, now, "legal-request", notice.Text));
            current.Audit.Add(new AuditEntry(now, "legal-request-notified", $"request {notice.RequestId}: {notice.Stage}"));
            return (true, true);
        });
        return true;
    }

    /// <summary>A request's gag has ended: what it hid joins the person's views, once.</summary>
    public Task EndGagAsync(string requestId) =>
        state.UpdateAsync(time, now => (state.State.UserId is not null && GaggedAudit.Release(state.State, requestId, now), true), host.DeactivateOnIdle);

    /// <summary>Keeps a disclosure hidden until <paramref name="until"/>, beside the chained entry (an extension must not rewrite a hashed entry).</summary>
    public Task HideDisclosureAsync(string disclosureId, DateTimeOffset until) => state.UpdateAsync(time, _ =>
    {
        var gags = state.State.DisclosureGags;
        if (!state.State.IsActive || (gags.TryGetValue(disclosureId, out var known) && known >= until))
        {
            return (false, true);
        }

        gags[disclosureId] = until;
        return (true, true);
    }, host.DeactivateOnIdle);

    /// <summary>Before the account is destroyed: each legal request about the person forgets who they were (it keeps what the law needs).</summary>
    public Task ForgetAllAsync() => Task.WhenAll(state.State.LegalRequestIds.Select(requestId =>
        grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId)).ForgetSubjectAsync(host.Key)));
}
