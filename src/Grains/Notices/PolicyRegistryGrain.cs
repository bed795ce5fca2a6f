using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// The registry of policy versions. The policy of September 22, 2016 is built in as the first version; officers publish
/// the next ones. A substantive version is announced to every account (and the operator of every cluster nobody linked)
/// through a notice campaign when it is published, at least <see cref="NoticeOptions.MinimumNoticePeriod"/> ahead of its effect.
/// </summary>
[RegionPlacement]
public sealed partial class PolicyRegistryGrain(
    [PersistentState("policy", StorageNames.Subjects)] IPersistentState<PolicyRegistryState> state,
    PolicyClock time,
    PolicySchedule schedule,
    IOptions<RegionOptions> regions,
    IOptions<NoticeOptions> notices,
    ILogger<PolicyRegistryGrain> logger) : Grain, IPolicyRegistryGrain
{
    /// <summary>The seeded version: the policy as written (POLICY.md), effective on its date.</summary>
    public static readonly PolicyVersion Seed = new(
        "2016-09-22",
        new DateTimeOffset(2016, 9, 22, 0, 0, 0, TimeSpan.Zero),
        Substantive: false,
        "The policy as first published.",
        SeedText(),
        new DateTimeOffset(2016, 9, 22, 0, 0, 0, TimeSpan.Zero));

    private string Home => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().IndexOf('/', StringComparison.Ordinal)];

    private IEnumerable<PolicyVersion> All => state.State.Versions.Prepend(Seed);

    public async Task<PublishOutcome> PublishAsync(PolicyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var outcome = await state.UpdateAsync(
            () =>
            {
                if (All.FirstOrDefault(known => known.Version == version.Version) is { } existing)
                {
                    return (false, Same(existing, version) ? PublishOutcome.AlreadyPublished : PublishOutcome.Conflict);
                }

                // Nobody may be held to a substantive change before they could have been told of it.
                if (version.Substantive && version.EffectiveAt < version.PublishedAt + notices.Value.MinimumNoticePeriod)
                {
                    return (false, PublishOutcome.TooSoon);
                }

                if (All.Any(known => known.EffectiveAt >= version.EffectiveAt))
                {
                    return (false, PublishOutcome.OutOfOrder);
                }

                state.State.Versions.Add(version);
                return (true, PublishOutcome.Published);
            },
            DeactivateOnIdle);
        schedule.Invalidate();
        if (outcome is PublishOutcome.Published or PublishOutcome.AlreadyPublished && version.Substantive)
        {
            // Started on a retry too, so a publication whose announcement failed half-way is announced after all.
            var published = All.First(known => known.Version == version.Version);
            await GrainFactory.GetGrain<INoticeCampaignGrain>(NoticeKeys.Campaign(Home, NoticeKeys.PolicyChange(published.Version)))
                .StartAsync(Announcement(published), "policy-registry");
        }

        if (outcome == PublishOutcome.Published)
        {
            LogPublished(logger, version.Substantive);
        }

        return outcome;
    }

    public Task<PolicyView> GetAsync()
    {
        var inEffect = PolicyKeys.InEffect(Summaries(), time.GetUtcNow())!;
        return Task.FromResult(new PolicyView(All.First(version => version.Version == inEffect.Version), Summaries()));
    }

    public Task<TimeSpan> MinimumNoticePeriodAsync() => Task.FromResult(notices.Value.MinimumNoticePeriod);

    public Task<PolicyVersion?> GetVersionAsync(string version) => Task.FromResult(All.FirstOrDefault(known => known.Version == version));

    public Task<ImmutableArray<PolicyVersionSummary>> ScheduleAsync() => Task.FromResult(Summaries());

    private ImmutableArray<PolicyVersionSummary> Summaries() =>
        [.. All.Select(version => new PolicyVersionSummary(version.Version, version.EffectiveAt, version.Substantive, version.Summary))];

    /// <summary>A retried publication carries a new publication time: the rest must match.</summary>
    private static bool Same(PolicyVersion a, PolicyVersion b) =>
        a.EffectiveAt == b.EffectiveAt && a.Substantive == b.Substantive && a.Summary == b.Summary && a.Text == b.Text;

    private NoticeCampaign Announcement(PolicyVersion version) => new(
        NoticeKeys.PolicyChange(version.Version),
        NoticeKind.PolicyChange,
        [.. regions.Value.Configured],
        ImmutableArray<DataCategory>.Empty,
        null,
        null,
        "Our privacy policy is changing",
        $"""
        We are changing our privacy policy. The new version, {version.Version}, takes effect on {version.EffectiveAt:yyyy-MM-dd HH:mm} UTC.

        What changes: {version.Summary}

        Read it in full at /v1/policy/{version.Version}. If you keep using the service after that date, you accept the new version.
        """,
        version.PublishedAt);

    private static string SeedText()
    {
        using var stream = typeof(PolicyRegistryGrain).Assembly.GetManifestResourceStream("PrimeDirective.Grains.Notices.POLICY-2016-09-22.md")
            ?? throw new InvalidOperationException("The seeded policy text is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy version published (substantive: {Substantive})")]
    private static partial void LogPublished(ILogger logger, bool substantive);
}
