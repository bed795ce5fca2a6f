using Microsoft.Extensions.Options;
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

    public IEmailIndexGrain EmailIndex(string region, string email) => grains.GetGrain<IEmailIndexGrain>(keys.ForEmail(region, email));

    public string EmailIndexKey(string region, string email) => keys.ForEmail(region, email);

    public IPrivacyRequestGrain Request(string requestId) => grains.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId));

    public IReviewQueueGrain Reviews(string region) => grains.GetGrain<IReviewQueueGrain>(UserKeys.ForReviews(region));
}
