using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;

namespace PrimeDirective.Gateway.ChildRemoval;

/// <summary>Removal of a child's data, for the routes and the officer's page alike: a parent asks, an officer reviews and decides.</summary>
internal sealed class ChildRemovalDesk(UserGrains users, AccountDesk accounts)
{
    /// <summary>Records a parent's checked request where the child's data lives (or the home region if we hold none).</summary>
    public async Task<ErasureAccepted> SubmitAsync(ChildRemovalBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var region = await accounts.ClaimedRegionAsync(body.ChildEmail) ?? users.Home;
        var requestId = SubjectIds.New(region);
        var (secret, hash) = Capabilities.New();
        var view = await users.Request(requestId).SubmitChildRemovalAsync(new ChildRemovalSubmission(
            users.EmailIndexKey(region, body.ChildEmail), body.ParentName, body.ParentEmail, body.Statement, hash));
        return ErasureAccepted.From(view, secret);
    }

    /// <summary>The requests awaiting review, in every region.</summary>
    public async Task<ChildRemovalReview[]> ReviewsAsync()
    {
        var pending = await Task.WhenAll(users.Regions.Select(region => users.Reviews(region).ListAsync()));
        var reviews = await Task.WhenAll(pending.SelectMany(ids => ids).Select(requestId => users.Request(requestId).ReviewAsync()));
        return [.. reviews.OfType<ChildRemovalReview>()];
    }

    /// <summary>Approves (the child's data is erased and the parent told) or rejects (the parent is told why) a request awaiting review.</summary>
    public async Task<Outcome<PrivacyRequestView>> DecideAsync(string requestId, ReviewDecisionBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (SubjectIds.Parse(requestId) is not { } parsed || !users.IsRegion(parsed.Region))
        {
            return new Outcome<PrivacyRequestView>.Unknown("privacy request");
        }

        return await users.Request(requestId).DecideAsync(body.Approve, officerId, body.Reason) is { } view
            ? Outcome.Done(view)
            : new Outcome<PrivacyRequestView>.Unknown("child-removal request awaiting review");
    }
}
