using Npgsql;

namespace PrimeDirective.Grains.Sealing;

/// <summary>A KEK version's history: when it became active, stopped being active, and was destroyed (<c>kek_versions</c>, K004).</summary>
public sealed record KekVersionRecord(int Version, DateTimeOffset? ActivatedAt, DateTimeOffset? DeactivatedAt, DateTimeOffset? DestroyedAt);

/// <summary>The key store's rows that KEK rotation reads and writes: the versions' history and the re-wrap of data keys.</summary>
public interface IKekRows
{
    /// <summary>
    /// Records <paramref name="active"/> as the active version (the one before it stops at <paramref name="now"/>) and every
    /// other configured version never recorded as stopped; answers the history. Throws if <paramref name="active"/> stopped before.
    /// </summary>
    Task<IReadOnlyList<KekVersionRecord>> RecordActiveAsync(int active, IReadOnlyCollection<int> configured, DateTimeOffset now);

    /// <summary>Every recorded version.</summary>
    Task<IReadOnlyList<KekVersionRecord>> HistoryAsync();

    /// <summary>How many live keys (data, epoch and hold keys) each version wraps.</summary>
    Task<IReadOnlyDictionary<int, long>> CountByVersionAsync();

    /// <summary>
    /// Re-wraps up to <paramref name="limit"/> keys wrapped by one of <paramref name="from"/> with <paramref name="rewrap"/>
    /// (which wraps under the active version, <paramref name="target"/>); answers how many. A key destroyed meanwhile stays destroyed.
    /// </summary>
    Task<int> RewrapAsync(IReadOnlyCollection<int> from, int target, int limit, Func<WrappedKey, byte[]> rewrap);

    /// <summary>Records that <paramref name="version"/> was destroyed at <paramref name="at"/> (the first record stands).</summary>
    Task MarkDestroyedAsync(int version, DateTimeOffset at);
}

/// <summary>The rotation's rows in the key store's PostgreSQL database.</summary>
internal sealed class PostgresKekRows(string connectionString) : IKekRows
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "prime-directive-kek-rotation", Timeout = 5 }.ConnectionString);

    public async Task<IReadOnlyList<KekVersionRecord>> RecordActiveAsync(int active, IReadOnlyCollection<int> configured, DateTimeOffset now)
    {
        await using var connection = await _source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // Silos starting together serialise here: one of them records the change of version, the others see it done.
        await using (var lockTable = new NpgsqlCommand("lock table kek_versions in exclusive mode", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var history = await ReadHistoryAsync(connection, transaction);
        if (history.FirstOrDefault(record => record.Version == active) is { DeactivatedAt: { } stopped })
        {
            throw new InvalidOperationException(
                $"KeyStore:ActiveKek names version {active}, which stopped being active at {stopped:O}: a retired KEK never wraps again; configure a new version.");
        }

        if (history.All(record => record.Version != active))
        {
            await using var rotate = new NpgsqlCommand(
                """
                update kek_versions set deactivated_at = @now where deactivated_at is null;
                insert into kek_versions (version, activated_at) values (@active, @now);
                insert into kek_versions (version, activated_at, deactivated_at)
                select version, null, @now from unnest(@configured) as version where version <> @active
                on conflict (version) do nothing;
                """,
                connection,
                transaction);
            rotate.Parameters.AddWithValue("now", now.UtcDateTime);
            rotate.Parameters.AddWithValue("active", active);
            rotate.Parameters.AddWithValue("configured", configured.ToArray());
            await rotate.ExecuteNonQueryAsync();
            history = await ReadHistoryAsync(connection, transaction);
        }

        await transaction.CommitAsync();
        return history;
    }

    public async Task<IReadOnlyList<KekVersionRecord>> HistoryAsync()
    {
        await using var connection = await _source.OpenConnectionAsync();
        return await ReadHistoryAsync(connection, null);
    }

    public async Task<IReadOnlyDictionary<int, long>> CountByVersionAsync()
    {
        await using var command = _source.CreateCommand("select kek_version, count(*) from data_keys group by kek_version");
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<int, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<int> RewrapAsync(IReadOnlyCollection<int> from, int target, int limit, Func<WrappedKey, byte[]> rewrap)
    {
        await using var connection = await _source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // Locked until the new wrapping commits: an erasure that deletes one of these keys waits, then deletes it; other
        // silos' re-wraps skip them. A crash rolls the batch back and the next pass takes it again.
        var batch = new List<WrappedKey>();
        await using (var select = new NpgsqlCommand(
            """
            select key_id, subject, kek_version, wrapped, fingerprint, created_at from data_keys
            where kek_version = any(@from) order by key_id limit @limit for update skip locked
            """,
            connection,
            transaction))
        {
            select.Parameters.AddWithValue("from", from.ToArray());
            select.Parameters.AddWithValue("limit", limit);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                batch.Add(new WrappedKey(
                    reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], reader.GetString(4),
                    new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero)));
            }
        }

        if (batch.Count > 0)
        {
            await using var update = new NpgsqlCommand(
                """
                update data_keys set wrapped = batch.wrapped, kek_version = @to
                from unnest(@ids, @wrapped) as batch(key_id, wrapped) where data_keys.key_id = batch.key_id
                """,
                connection,
                transaction);
            update.Parameters.AddWithValue("to", target);
            update.Parameters.AddWithValue("ids", batch.Select(key => key.Id).ToArray());
            update.Parameters.AddWithValue("wrapped", batch.Select(rewrap).ToArray());
            await update.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return batch.Count;
    }

    public async Task MarkDestroyedAsync(int version, DateTimeOffset at)
    {
        await using var command = _source.CreateCommand("update kek_versions set destroyed_at = coalesce(destroyed_at, @at) where version = @version");
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        command.Parameters.AddWithValue("version", version);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<IReadOnlyList<KekVersionRecord>> ReadHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using var command = new NpgsqlCommand(
            "select version, activated_at, deactivated_at, destroyed_at from kek_versions order by version", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync();
        var history = new List<KekVersionRecord>();
        while (await reader.ReadAsync())
        {
            history.Add(new KekVersionRecord(reader.GetInt32(0), At(reader, 1), At(reader, 2), At(reader, 3)));
        }

        return history;
    }

    private static DateTimeOffset? At(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetDateTime(ordinal), TimeSpan.Zero);
}

/// <summary>The rotation's rows in the in-memory development mode, over its in-memory key store.</summary>
internal sealed class InMemoryKekRows(InMemoryKeyRows keys) : IKekRows
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, KekVersionRecord> _history = [];

    public Task<IReadOnlyList<KekVersionRecord>> RecordActiveAsync(int active, IReadOnlyCollection<int> configured, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_history.TryGetValue(active, out var record) && record.DeactivatedAt is { } stopped)
            {
                throw new InvalidOperationException($"KeyStore:ActiveKek names version {active}, which stopped being active at {stopped:O}.");
            }

            if (record is null)
            {
                foreach (var running in _history.Values.Where(known => known.DeactivatedAt is null).ToList())
                {
                    _history[running.Version] = running with { DeactivatedAt = now };
                }

                _history[active] = new KekVersionRecord(active, now, null, null);
                foreach (var other in configured.Where(version => version != active))
                {
                    _history.TryAdd(other, new KekVersionRecord(other, null, now, null));
                }
            }

            return Task.FromResult(Snapshot());
        }
    }

    public Task<IReadOnlyList<KekVersionRecord>> HistoryAsync()
    {
        lock (_gate)
        {
            return Task.FromResult(Snapshot());
        }
    }

    public Task<IReadOnlyDictionary<int, long>> CountByVersionAsync() =>
        Task.FromResult<IReadOnlyDictionary<int, long>>(keys.All().GroupBy(key => key.KekVersion).ToDictionary(group => group.Key, group => group.LongCount()));

    public Task<int> RewrapAsync(IReadOnlyCollection<int> from, int target, int limit, Func<WrappedKey, byte[]> rewrap)
    {
        var done = 0;
        foreach (var key in keys.All().Where(key => from.Contains(key.KekVersion)).OrderBy(key => key.Id).Take(limit))
        {
            if (keys.Replace(key, key with { KekVersion = target, Wrapped = rewrap(key) }))
            {
                done++;
            }
        }

        return Task.FromResult(done);
    }

    public Task MarkDestroyedAsync(int version, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_history.TryGetValue(version, out var record) && record.DestroyedAt is null)
            {
                _history[version] = record with { DestroyedAt = at };
            }
        }

        return Task.CompletedTask;
    }

    private IReadOnlyList<KekVersionRecord> Snapshot() => [.. _history.Values.OrderBy(record => record.Version)];
}
