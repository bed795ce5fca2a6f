using System.Collections.Immutable;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.Notices;

/// <summary>Notices, for the routes and the officer's pages alike: declare a breach (every affected person told once), publish a policy version.</summary>
internal sealed class NoticeDesk(UserGrains users, IGrainFactory grains, TimeProvider time)
{
    /// <summary>Declares a checked breach and starts its fan-out; the declaration with its first counts.</summary>
    public async Task<BreachView> DeclareBreachAsync(BreachBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        var id = Guid.NewGuid().ToString("N");
        var grain = NoticeEndpoints.Campaign(grains, users, id);

        // Listed first: a crash before the campaign starts leaves an id the list skips, never a breach the list misses.
        await grains.GetGrain<IBreachRegisterGrain>(NoticeKeys.Breaches(users.Home)).AddAsync(id);
        await grain.StartAsync(Campaign(id, body, time.GetUtcNow()), officerId);
        return BreachView.From((await grain.GetAsync())!);
    }

    /// <summary>Every breach declared (oldest first), each with its counts and its 72-hour clock.</summary>
    public async Task<ImmutableArray<BreachView>> BreachesAsync()
    {
        var ids = await grains.GetGrain<IBreachRegisterGrain>(NoticeKeys.Breaches(users.Home)).ListAsync();
        var statuses = await Task.WhenAll(ids.Select(id => NoticeEndpoints.Campaign(grains, users, id).GetAsync()));
        return [.. statuses.OfType<NoticeStatus>().Where(status => status.Campaign.Kind == NoticeKind.Breach).Select(BreachView.From)];
    }

    /// <summary>
    /// Records (or corrects) that the supervisory authority was notified of breach <paramref name="breachId"/>: the
    /// breach with its clock, or unknown; a notification before we became aware of the breach is refused on <c>notifiedAt</c>.
    /// </summary>
    public async Task<Outcome<BreachView>> RecordAuthorityNotificationAsync(string breachId, AuthorityNotificationBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        var grain = NoticeEndpoints.Campaign(grains, users, breachId);
        if (!NoticeEndpoints.IsCampaignId(breachId) || await grain.GetAsync() is not { Campaign.Kind: NoticeKind.Breach } status)
        {
            return new Outcome<BreachView>.Unknown("breach");
        }

        if (body.Notified < (status.Campaign.AwareAt ?? status.Campaign.DeclaredAt))
        {
            return new Outcome<BreachView>.Invalid("notifiedAt", "must not be before we became aware of the breach (awareAt)");
        }

        var recorded = await grain.RecordAuthorityNotificationAsync(
            new AuthorityNotification(body.Authority, body.Reference, body.Notified, officerId, time.GetUtcNow()));
        return recorded is null ? new Outcome<BreachView>.Unknown("breach") : Outcome.Done(BreachView.From(recorded));
    }

    /// <summary>
    /// Publishes a checked version (immutable once published): the stored version and whether this call published it
    /// (a repeat of the same version is done too); a different version under the same name conflicts; an effective date
    /// too soon or before one already published is refused on <c>effectiveAt</c>.
    /// </summary>
    public async Task<Outcome<(PolicyDocument Document, bool Created)>> PublishAsync(PolicyVersionBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var version = new PolicyVersion(body.Version, body.Effective!.Value, body.Substantive, body.Summary, body.Text, time.GetUtcNow());
        var registry = NoticeEndpoints.Registry(grains, users);
        return await registry.PublishAsync(version) switch
        {
            var done and (PublishOutcome.Published or PublishOutcome.AlreadyPublished) =>
                Outcome.Done((PolicyDocument.From((await registry.GetVersionAsync(version.Version))!), done == PublishOutcome.Published)),
            PublishOutcome.Conflict => new Outcome<(PolicyDocument, bool)>.Conflict(
                "version", "Published versions are immutable: publish a new version to correct one.", "The version exists."),
            var refused => new Outcome<(PolicyDocument, bool)>.Invalid("effectiveAt", await EffectRefusalAsync(registry, refused, version)),
        };
    }

    /// <summary>Whether <paramref name="version"/> is published already (a repeat, or a conflict: answered by publishing).</summary>
    public async Task<bool> IsPublishedAsync(string version) => await NoticeEndpoints.Registry(grains, users).GetVersionAsync(version) is not null;

    /// <summary>Why a checked substantive version would take effect too soon if published now, or <c>null</c>.</summary>
    public async Task<string?> TooSoonAsync(PolicyVersionBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var registry = NoticeEndpoints.Registry(grains, users);
        var version = new PolicyVersion(body.Version, body.Effective!.Value, body.Substantive, body.Summary, body.Text, time.GetUtcNow());
        return body.Substantive && version.EffectiveAt < version.PublishedAt + await registry.MinimumNoticePeriodAsync()
            ? await EffectRefusalAsync(registry, PublishOutcome.TooSoon, version)
            : null;
    }

    /// <summary>The campaign of a checked breach declaration.</summary>
    private static NoticeCampaign Campaign(string id, BreachBody body, DateTimeOffset now) =>
        new(
            id, NoticeKind.Breach, [.. body.Regions], [.. body.CategoriesChecked!.Value], body.From, body.Until,
            "Security breach notice",
            $"""
            We learned of a security breach that may have exposed data we held about you ({string.Join(", ", body.CategoryNames)}), between {body.From:yyyy-MM-dd HH:mm} and {body.Until:yyyy-MM-dd HH:mm} UTC.

            What happened: {body.Description}

            What you should do: {body.Advice}
            """,
            now, body.Description, body.Advice, body.Aware);

    /// <summary>Why <paramref name="version"/>'s effective date was refused.</summary>
    private static async Task<string> EffectRefusalAsync(IPolicyRegistryGrain registry, PublishOutcome outcome, PolicyVersion version)
    {
        if (outcome != PublishOutcome.TooSoon)
        {
            return "must be later than every version already published";
        }

        var period = await registry.MinimumNoticePeriodAsync();
        var earliest = version.PublishedAt + period;
        return $"a substantive version takes effect at least {period.TotalDays:0.##} days after it is published, so everyone is told first: "
            + $"{earliest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} or later";
    }
}
