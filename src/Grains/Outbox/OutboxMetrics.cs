using System.Diagnostics.Metrics;
using Npgsql;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// The outbox's depth per region: the owners with undelivered messages (rows of <c>outbox_mark</c>), and of those how many
/// are past the time they were due again, as of the last refresh.
/// </summary>
public sealed class OutboxMetrics : IGaugeSource
{
    private readonly RegionDatabases _databases;
    private volatile IReadOnlyList<(string Region, long Waiting, long Late)> _last = [];

    public OutboxMetrics(IMeterFactory meters, RegionDatabases databases)
    {
        _databases = databases;
        var meter = PrimeDirectiveMeter.Create(meters);
        meter.CreateObservableGauge("prime_directive.outbox.depth", () => _last.SelectMany(region => new[]
            {
                new Measurement<long>(region.Waiting, new("region", region.Region), new("state", "waiting")),
                new Measurement<long>(region.Late, new("region", region.Region), new("state", "late")),
            }),
            "{owner}", "Owners (people, requests, email entries) with undelivered messages (state: waiting; late: past the time they were due again).");
    }

    public async Task RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var counts = new List<(string, long, long)>();
        foreach (var (region, database) in _databases.ByRegion)
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "select count(*), count(*) filter (where due_at <= @now) from outbox_mark where region = @region", connection);
            command.Parameters.AddWithValue("region", region);
            command.Parameters.AddWithValue("now", now.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            counts.Add((region, reader.GetInt64(0), reader.GetInt64(1)));
        }

        _last = counts;
    }
}
