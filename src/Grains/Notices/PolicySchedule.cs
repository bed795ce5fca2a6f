using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// A silo's copy of the policy registry's schedule (versions and effective dates, no texts), refreshed every few
/// seconds: every authenticated request asks which version is in effect, and must not queue on the one registry grain.
/// The version in effect is computed from the policy clock on each call, so it switches at its effective date.
/// </summary>
public sealed class PolicySchedule(IGrainFactory grains, IOptions<RegionOptions> regions, PolicyClock clock)
{
    /// <summary>How long a fetched schedule is trusted: a version published elsewhere is seen within this.</summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(5);

    private static readonly PolicyVersionSummary Seeded = new(
        PolicyRegistryGrain.Seed.Version, PolicyRegistryGrain.Seed.EffectiveAt, PolicyRegistryGrain.Seed.Substantive, PolicyRegistryGrain.Seed.Summary);

    // Read and replaced by many threads at once: one immutable snapshot, swapped whole, never torn.
    private volatile Snapshot? _cached;

    /// <summary>The version in effect now (the seeded one at least).</summary>
    public async Task<PolicyVersionSummary> InEffectAsync()
    {
        var versions = await VersionsAsync();
        return PolicyKeys.InEffect(versions, clock.GetUtcNow()) ?? versions[0];
    }

    /// <summary>Forgets the cached schedule (after a publication on this silo).</summary>
    public void Invalidate() => _cached = null;

    private async Task<ImmutableArray<PolicyVersionSummary>> VersionsAsync()
    {
        var now = Environment.TickCount64;
        var cached = _cached;
        if (cached is not null && now - cached.FetchedAt < RefreshPeriod.TotalMilliseconds)
        {
            return cached.Versions;
        }

        try
        {
            var versions = await grains.GetGrain<IPolicyRegistryGrain>(PolicyKeys.Registry(regions.Value.Home)).ScheduleAsync();
            _cached = new Snapshot(versions, now);
            return versions;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The home region down must not lock everyone out: the last schedule known (or the seeded version) serves.
            return _cached?.Versions ?? [Seeded];
        }
    }

    /// <summary>A fetched schedule and when it was fetched (<see cref="Environment.TickCount64"/>).</summary>
    private sealed record Snapshot(ImmutableArray<PolicyVersionSummary> Versions, long FetchedAt);
}
