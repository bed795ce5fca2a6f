using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PrimeDirective.Grains.Interfaces.Notices;

/// <summary>One published version of the privacy policy; immutable once published (a mistake is fixed by a new version).</summary>
/// <param name="Version">The version's name (the policy's date, such as <c>2016-09-22</c>).</param>
/// <param name="EffectiveAt">When it takes effect.</param>
/// <param name="Substantive">Whether it changes what we do with people's data: then every account is told, at least the minimum notice period ahead of it.</param>
/// <param name="Summary">What changed, in a sentence or two.</param>
/// <param name="Text">The full policy, Markdown.</param>
/// <param name="PublishedAt">When it was published.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.PolicyVersion")]
public sealed record PolicyVersion(
    [property: Id(0)] string Version,
    [property: Id(1)] DateTimeOffset EffectiveAt,
    [property: Id(2)] bool Substantive,
    [property: Id(3)] string Summary,
    [property: Id(4)] string Text,
    [property: Id(5)] DateTimeOffset PublishedAt);

/// <summary>A version without its text: for the history and the schedule.</summary>
/// <param name="Version">The version's name.</param>
/// <param name="EffectiveAt">When it takes (or took) effect.</param>
/// <param name="Substantive">Whether it was announced to every account.</param>
/// <param name="Summary">What changed.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.PolicyVersionSummary")]
public sealed record PolicyVersionSummary(
    [property: Id(0)] string Version,
    [property: Id(1)] DateTimeOffset EffectiveAt,
    [property: Id(2)] bool Substantive,
    [property: Id(3)] string Summary);

/// <summary>The policy as the public sees it: the version in effect now, then every version, oldest first.</summary>
/// <param name="InEffect">The version in effect.</param>
/// <param name="History">Every published version (past, current and upcoming) with its summary.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.PolicyView")]
public sealed record PolicyView(
    [property: Id(0)] PolicyVersion InEffect,
    [property: Id(1)] ImmutableArray<PolicyVersionSummary> History);

/// <summary>What became of a publication.</summary>
public enum PublishOutcome
{
    /// <summary>Published now.</summary>
    Published = 0,

    /// <summary>Exactly this version was already published (a retried request): nothing changed.</summary>
    AlreadyPublished = 1,

    /// <summary>A different version of that name exists: versions are immutable.</summary>
    Conflict = 2,

    /// <summary>It would take effect before a version already published: the order of effect is fixed.</summary>
    OutOfOrder = 3,

    /// <summary>A substantive version would take effect before the minimum notice period after its publication passed.</summary>
    TooSoon = 4,
}

/// <summary>The registry of policy versions, one for the service (key <see cref="PolicyKeys.Registry"/>).</summary>
[Alias("PrimeDirective.IPolicyRegistryGrain")]
public interface IPolicyRegistryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Publishes a version; a substantive one is announced to every account (and every cluster nobody linked) at once,
    /// and takes effect no sooner than <see cref="MinimumNoticePeriodAsync"/> after its publication.
    /// </summary>
    [Alias("Publish")]
    Task<PublishOutcome> PublishAsync(PolicyVersion version);

    /// <summary>The shortest time from a substantive version's publication to its effect.</summary>
    [Alias("MinimumNoticePeriod")]
    [ReadOnly]
    Task<TimeSpan> MinimumNoticePeriodAsync();

    /// <summary>The version in effect now and the history.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<PolicyView> GetAsync();

    /// <summary>One version, or <c>null</c>.</summary>
    [Alias("GetVersion")]
    [ReadOnly]
    Task<PolicyVersion?> GetVersionAsync(string version);

    /// <summary>Every version without its text, oldest first (silos cache it to know the version in effect).</summary>
    [Alias("Schedule")]
    [ReadOnly]
    Task<ImmutableArray<PolicyVersionSummary>> ScheduleAsync();
}

/// <summary>Keys of the policy registry.</summary>
public static class PolicyKeys
{
    /// <summary>The registry's key: it lives in the home region (it holds nothing personal).</summary>
    public static string Registry(string homeRegion) => $"{homeRegion}/policy-registry";

    /// <summary>The version in effect at <paramref name="now"/> in <paramref name="schedule"/> (oldest first), or <c>null</c>.</summary>
    public static PolicyVersionSummary? InEffect(IEnumerable<PolicyVersionSummary> schedule, DateTimeOffset now) =>
        schedule.LastOrDefault(version => version.EffectiveAt <= now);
}
