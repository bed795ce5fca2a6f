using System.Collections.Immutable;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Transparency;

/// <summary>The transparency log in each region's database (table <c>transparency_event</c>, V023).</summary>
internal sealed class PostgresTransparencyLog(RegionDatabases databases) : ITransparencyLog
{
    public async Task RecordAsync(string region, TransparencyEvent counted)
    {
        ArgumentNullException.ThrowIfNull(counted);
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            insert into transparency_event (region, event_id, period, measure, kind, days)
            values (@region, @id, @period, @measure, @kind, @days)
            on conflict do nothing
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("id", counted.Id);
        command.Parameters.AddWithValue("period", counted.Period);
        command.Parameters.AddWithValue("measure", counted.Measure);
        command.Parameters.AddWithValue("kind", counted.Kind);
        command.Parameters.Add(new NpgsqlParameter("days", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)counted.Days ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<ImmutableArray<TransparencyTally>> TalliesAsync(string region)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            "select period, measure, kind, days, count(*) from transparency_event where region = @region group by 1, 2, 3, 4",
            connection);
        command.Parameters.AddWithValue("region", region);
        var tallies = ImmutableArray.CreateBuilder<TransparencyTally>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tallies.Add(new TransparencyTally(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetInt64(4)));
        }

        return tallies.ToImmutable();
    }

    private async Task<NpgsqlConnection> OpenAsync(string region)
    {
        var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        return connection;
    }
}
