using System.Collections.Immutable;
using Npgsql;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Notices;

/// <summary>The subject registry in each region's database (table <c>subject_registry</c>, V007).</summary>
internal sealed class PostgresSubjectRegistry(RegionDatabases databases) : ISubjectRegistry
{
    public async Task AddAsync(string region, string key, string kind)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            "insert into subject_registry (subject_key, kind) values (@key, @kind) on conflict (subject_key) do nothing", connection);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("kind", kind);
        await command.ExecuteNonQueryAsync();
    }

    public async Task RemoveAsync(string region, string key)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand("delete from subject_registry where subject_key = @key", connection);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<ImmutableArray<RegisteredSubject>> PageAsync(string region, string? after, int limit, string? kind)
    {
        await using var connection = await OpenAsync(region);

        // The region's keys are the range ["{region}/", "{region}0"): '0' follows '/' in byte order.
        await using var command = new NpgsqlCommand(
            """
            select subject_key, kind from subject_registry
            where subject_key > @after and subject_key < @end and (@kind::text is null or kind = @kind)
            order by subject_key
            limit @limit
            """,
            connection);
        command.Parameters.AddWithValue("after", after ?? $"{region}/");
        command.Parameters.AddWithValue("end", $"{region}0");
        command.Parameters.AddWithValue("kind", (object?)kind ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        var page = ImmutableArray.CreateBuilder<RegisteredSubject>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            page.Add(new RegisteredSubject(reader.GetString(0), reader.GetString(1)));
        }

        return page.ToImmutable();
    }

    public async Task<long> CountAsync(string region, string? kind)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            "select count(*) from subject_registry where subject_key > @start and subject_key < @end and (@kind::text is null or kind = @kind)", connection);
        command.Parameters.AddWithValue("start", $"{region}/");
        command.Parameters.AddWithValue("end", $"{region}0");
        command.Parameters.AddWithValue("kind", (object?)kind ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<NpgsqlConnection> OpenAsync(string region)
    {
        var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        return connection;
    }
}
