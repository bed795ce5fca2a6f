using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Admin;

/// <summary>What someone else told us about a person: an officer records it (route and page alike); the person corrects or erases it.</summary>
internal sealed class ThirdPartyRecordDesk(UserGrains users, IGrainFactory grains)
{
    /// <summary>Records a checked record on an open account: its id; the same unknown for an unknown and a closed account.</summary>
    public async Task<Outcome<string>> AddAsync(ThirdPartyRecordBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (SubjectIds.Parse(body.UserId) is not { } parsed || !users.IsRegion(parsed.Region) || !await users.User(body.UserId).IsActiveAsync())
        {
            return new Outcome<string>.Unknown("account");
        }

        return await Records(body.UserId).AddThirdPartyRecordAsync(new ThirdPartyRecord(body.Source, body.Kind, body.Value)) is { } recordId
            ? Outcome.Done(recordId)
            : new Outcome<string>.Conflict("userId", "The account holds the most third-party records allowed.", "Too many records.", "invalid-request");
    }

    /// <summary>The person's correction of one of their records.</summary>
    public async Task<Outcome<string>> CorrectAsync(string userId, string recordId, ThirdPartyCorrectionBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return await Records(userId).CorrectThirdPartyRecordAsync(recordId, body.Value) ? Outcome.Done(recordId) : new Outcome<string>.Unknown("record");
    }

    /// <summary>The person's erasure of one of their records.</summary>
    public async Task<Outcome<string>> RemoveAsync(string userId, string recordId) =>
        await Records(userId).RemoveThirdPartyRecordAsync(recordId) ? Outcome.Done(recordId) : new Outcome<string>.Unknown("record");

    private IUserThirdPartyRecords Records(string userId) => grains.GetGrain<IUserThirdPartyRecords>(users.UserKey(userId));
}
