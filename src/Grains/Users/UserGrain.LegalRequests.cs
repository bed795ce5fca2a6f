using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

/// <summary>A person told about legal requests for their data, once each; gagged ledger entries hidden while the gag runs.</summary>
public sealed partial class UserGrain : ILegalRequestSubject
{
    public async Task<bool> NotifyLegalRequestAsync(string requestId, string text)
    {
        if (!state.State.IsActive)
        {
            return false;
        }

        var id = $"legal-request-{requestId}";
        await UpdateAsync(now =>
        {
            if (state.State.Notifications.Any(notice => notice.Id == id))
            {
                return (false, true);
            }

            state.State.Notifications.Add(new Notification(id, now, "legal-request", text));
            state.State.Audit.Add(new AuditEntry(now, "legal-request-notified", $"request {requestId}"));
            return (true, true);
        });
        return true;
    }

    public async Task HideDisclosureAsync(string disclosureId, DateTimeOffset until)
    {
        // Kept beside the chained entry, so a gag extension does not rewrite a hashed entry.
        await UpdateAsync(_ => (state.State.IsActive && (!state.State.DisclosureGags.TryGetValue(disclosureId, out var known) || known < until),
            state.State.DisclosureGags[disclosureId] = until));
    }
}
