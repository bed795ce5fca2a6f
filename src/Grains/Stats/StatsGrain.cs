using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Stats;

namespace PrimeDirective.Grains.Stats;

/// <summary>Publishes the aggregates: reads the raw counts, releases only what k-anonymity (and the noise, if on) allow.</summary>
[StatelessWorker]
public sealed class StatsGrain(IAggregateStore store, IOptions<StatsOptions> options, IOptions<PrivacyOptions> privacy) : Grain, IStatsGrain
{
    public async Task<StatsRelease> ReleaseAsync(DateOnly firstDay, DateOnly lastDay, string? metric)
    {
        var settings = options.Value;
        var counts = await store.ReadAsync(firstDay, lastDay);
        var rows = Publication.Release(counts.Where(count => metric is null || count.Metric == metric), settings.K, settings.DifferentialPrivacy, NoiseKey(settings));
        var noised = settings.DifferentialPrivacy.Enabled;
        return new StatsRelease(firstDay, lastDay, settings.K, noised, noised ? settings.DifferentialPrivacy.Epsilon : null, rows);
    }

    private byte[] NoiseKey(StatsOptions settings) =>
        SHA256.HashData(Encoding.UTF8.GetBytes("prime-directive/stats-noise/" + (settings.DifferentialPrivacy.Seed ?? privacy.Value.PseudonymKey ?? string.Empty)));
}
