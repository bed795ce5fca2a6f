using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Users;

/// <summary>The grains behind people's routes, addressed by pseudonymous keys in each subject's region.</summary>
internal sealed class UserGrains(IGrainFactory grains, UserKeys keys, IOptions<RegionOptions> regions)
{
    public IReadOnlyList<string> Regions => regions.Value.Configured;

    public string Home => regions.Value.Home;

    public bool IsRegion(string region) => regions.Value.IsConfigured(region);

    public string UserKey(string userId) => keys.ForUser(userId);

    public IUserGrain User(string userId) => grains.GetGrain<IUserGrain>(keys.ForUser(userId));

    /// <summary>Records a verified sign-in: the account's dormancy count starts again.</summary>
    public Task SignedInAsync(string userId) => grains.GetGrain<IUserActivity>(keys.ForUser(userId)).SignedInAsync();

    public IEmailIndexGrain EmailIndex(string region, string email) => grains.GetGrain<IEmailIndexGrain>(keys.ForEmail(region, email));

    public string EmailIndexKey(string region, string email) => keys.ForEmail(region, email);

    public IPrivacyRequestGrain Request(string requestId) => grains.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId));

    public IReviewQueueGrain Reviews(string region) => grains.GetGrain<IReviewQueueGrain>(UserKeys.ForReviews(region));

    /// <summary>The region whose index says an account claims <paramref name="email"/>, or <c>null</c>. Asks every region.</summary>
    public async Task<string?> ClaimedRegionAsync(string email)
    {
        var claims = await Task.WhenAll(Regions.Select(async region => (region, claimed: await EmailIndex(region, email).IsClaimedAsync())));
        return claims.FirstOrDefault(claim => claim.claimed).region;
    }

    /// <summary>Starts an erasure of the account: persisted before this returns; the answer carries the receipt's capability URL.</summary>
    public async Task<ErasureAccepted> EraseAsync(string userId, string reason)
    {
        var region = SubjectIds.Parse(userId)!.Value.Region;
        var requestId = SubjectIds.New(region);
        var (secret, hash) = Capabilities.New();
        var view = await Request(requestId).SubmitErasureAsync(new ErasureSubmission(keys.ForUser(userId), hash, reason));
        return ErasureAccepted.From(view, secret);
    }
}
