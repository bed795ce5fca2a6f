using Npgsql;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Grains.Retention;

/// <summary>What is past its expiry and not yet destroyed in one store of one region.</summary>
/// <param name="Region">The region.</param>
/// <param name="Store">The store (<see cref="OverdueItems.Reports"/>, <see cref="OverdueItems.EpochKeys"/>).</param>
/// <param name="Count">How many items are overdue.</param>
/// <param name="OldestExpiry">When the oldest of them expired (<c>null</c> when none is).</param>
public sealed record OverdueCount(string Region, string Store, long Count, DateTimeOffset? OldestExpiry);

/// <summary>
/// The privacy SLO's measure: items past their expiry that retention has not destroyed yet, per region, excluding what a
/// legal hold in force keeps. Report rows (usage, configuration, crash reports, IP addresses) are counted from the
/// <c>report</c> table by its expiry index; epoch keys (which end every value sealed under them on their day) from the
/// key store. One indexed query per region and one on the key store: cheap enough to run every minute.
/// </summary>
public sealed class OverdueItems(RegionDatabases databases, KeyStore keys)
{
    /// <summary>The store name of report rows.</summary>
    public const string Reports = "report";

    /// <summary>The store name of epoch keys whose day is over.</summary>
    public const string EpochKeys = "epoch-key";

    /// <summary>Every served region's overdue items at <paramref name="now"/>, one entry per region and store (zero counts included).</summary>
    public async Task<IReadOnlyList<OverdueCount>> MeasureAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var counts = new List<OverdueCount>();
        foreach (var (region, database) in databases.ByRegion)
        {
            counts.Add(await ReportsAsync(region, database, now, cancellationToken));
        }

        var ended = (await keys.EpochsBeforeAsync(DateOnly.FromDateTime(now.UtcDateTime)))
            .Select(key => KeyEpoch.Parse(key.Subject))
            .OfType<KeyEpoch>()
            .ToLookup(epoch => epoch.Region, StringComparer.Ordinal);
        foreach (var region in databases.ByRegion.Keys)
        {
            var epochs = ended[region].ToList();
            DateTimeOffset? oldest = epochs.Count == 0
                ? null
                : new DateTimeOffset(epochs.Min(epoch => epoch.Day).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            counts.Add(new OverdueCount(region, EpochKeys, epochs.Count, oldest));
        }

        return counts;
    }

    private static async Task<OverdueCount> ReportsAsync(string region, string database, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);

        // The same rows a wave at this time would destroy (ReportRetentionWaves), counted instead of deleted.
        await using var command = new NpgsqlCommand(
            """
            select count(*), min(report.expires_at) from report
            where report.expires_at <= @now and starts_with(report.subject_key, @prefix)
              and not exists (
                select 1 from legal_hold hold
                where hold.subject_key = report.subject_key and (hold.ends_at is null or hold.ends_at > @now))
            """,
            connection);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("prefix", region + "/");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = reader.GetInt64(0);
        DateTimeOffset? oldest = reader.IsDBNull(1) ? null : new DateTimeOffset(reader.GetDateTime(1).ToUniversalTime(), TimeSpan.Zero);
        return new OverdueCount(region, Reports, count, oldest);
    }
}
