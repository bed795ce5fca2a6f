using System.Collections.Concurrent;
using System.Collections.Immutable;
using Npgsql;
using NpgsqlTypes;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// Each region's proof of destruction: rows in the region's database, one per proof and category, counted by day. It
/// outlives the subjects and names none of them. Subjects write it directly, so no single grain carries a region's day.
/// </summary>
public interface IDestructionLedger
{
    /// <summary>Records <paramref name="proof"/> in <paramref name="region"/>'s ledger; a proof already recorded is left as it is.</summary>
    Task RecordAsync(string region, DestructionProof proof);

    /// <summary>The day's counts in <paramref name="region"/>, by subject kind, category and why.</summary>
    Task<ImmutableArray<DestructionEntry>> ReadAsync(string region, DateOnly day);

    /// <summary>Records the fence of a destroyed data key in <paramref name="region"/>'s ledger (idempotent by key id).</summary>
    Task FenceAsync(string region, KeyFence fence);

    /// <summary>The fence of the key <paramref name="keyId"/> in <paramref name="region"/>, or <c>null</c>.</summary>
    Task<KeyFence?> FindFenceAsync(string region, Guid keyId);
}

/// <summary>The ledger in each region's PostgreSQL database (table <c>destruction_ledger</c>, migration V003).</summary>
internal sealed class PostgresDestructionLedger(RegionDatabases databases) : IDestructionLedger
{
    public async Task RecordAsync(string region, DestructionProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await RecordAsync(connection, null, region, proof);
    }

    /// <summary>Records <paramref name="proof"/> on an open connection, inside <paramref name="transaction"/> if given (with the deletion it proves).</summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string region, DestructionProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var counts = proof.Counts.Where(pair => pair.Value > 0).ToList();
        if (counts.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            insert into destruction_ledger (proof_id, category, region, day, subject_kind, why, count, destroyed_at)
            select @proof, category, @region, @day, @kind, @why, count, @at
            from unnest(@categories, @counts) as destroyed(category, count)
            on conflict (proof_id, category) do nothing
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("proof", proof.Id);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("day", DateOnly.FromDateTime(proof.At.UtcDateTime));
        command.Parameters.AddWithValue("kind", proof.SubjectKind);
        command.Parameters.AddWithValue("why", proof.Why);
        command.Parameters.AddWithValue("at", proof.At.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter("categories", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = counts.Select(pair => WireNames.Of(pair.Key)).ToArray(),
        });
        command.Parameters.Add(new NpgsqlParameter("counts", NpgsqlDbType.Array | NpgsqlDbType.Integer)
        {
            Value = counts.Select(pair => pair.Value).ToArray(),
        });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<ImmutableArray<DestructionEntry>> ReadAsync(string region, DateOnly day)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select subject_kind, category, why, sum(count)::integer, max(destroyed_at)
            from destruction_ledger where region = @region and day = @day
            group by subject_kind, category, why
            order by subject_kind, category, why
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("day", day);
        var entries = ImmutableArray.CreateBuilder<DestructionEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new DestructionEntry(
                reader.GetString(0), WireNames.Parse<DataCategory>(reader.GetString(1)), reader.GetString(2), reader.GetInt32(3),
                new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero)));
        }

        return entries.ToImmutable();
    }

    public async Task FenceAsync(string region, KeyFence fence)
    {
        ArgumentNullException.ThrowIfNull(fence);
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            insert into key_fences (key_id, fingerprint, kek_version, region, destroyed_at)
            values (@id, @fingerprint, @version, @region, @at)
            on conflict (key_id) do nothing
            """,
            connection);
        command.Parameters.AddWithValue("id", fence.KeyId);
        command.Parameters.AddWithValue("fingerprint", fence.Fingerprint);
        command.Parameters.AddWithValue("version", fence.KekVersion);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("at", fence.DestroyedAt.UtcDateTime);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<KeyFence?> FindFenceAsync(string region, Guid keyId)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select fingerprint, kek_version, destroyed_at from key_fences where key_id = @id and region = @region", connection);
        command.Parameters.AddWithValue("id", keyId);
        command.Parameters.AddWithValue("region", region);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new KeyFence(keyId, reader.GetString(0), reader.GetInt32(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero))
            : null;
    }
}

/// <summary>The ledger of the in-memory development mode: gone with the process, like everything else it holds.</summary>
internal sealed class InMemoryDestructionLedger : IDestructionLedger
{
    private readonly ConcurrentDictionary<string, (string Region, DestructionProof Proof)> _proofs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Region, Guid KeyId), KeyFence> _fences = new();

    public Task FenceAsync(string region, KeyFence fence)
    {
        ArgumentNullException.ThrowIfNull(fence);
        _fences.TryAdd((region, fence.KeyId), fence);
        return Task.CompletedTask;
    }

    public Task<KeyFence?> FindFenceAsync(string region, Guid keyId) => Task.FromResult(_fences.GetValueOrDefault((region, keyId)));

    public Task RecordAsync(string region, DestructionProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        _proofs.TryAdd(proof.Id, (region, proof));
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<DestructionEntry>> ReadAsync(string region, DateOnly day) => Task.FromResult(_proofs.Values
        .Where(entry => entry.Region == region && DateOnly.FromDateTime(entry.Proof.At.UtcDateTime) == day)
        .SelectMany(entry => entry.Proof.Counts.Where(pair => pair.Value > 0).Select(pair => (entry.Proof, Category: pair.Key, Count: pair.Value)))
        .GroupBy(row => (row.Proof.SubjectKind, row.Category, row.Proof.Why))
        .Select(group => new DestructionEntry(group.Key.SubjectKind, group.Key.Category, group.Key.Why, group.Sum(row => row.Count), group.Max(row => row.Proof.At)))
        .OrderBy(entry => entry.SubjectKind, StringComparer.Ordinal).ThenBy(entry => WireNames.Of(entry.Category), StringComparer.Ordinal)
        .ThenBy(entry => entry.Why, StringComparer.Ordinal)
        .ToImmutableArray());
}

/// <summary>Records a subject's pending proofs and then drops them from its state.</summary>
public static class DestructionProofs
{
    /// <summary>Records every pending proof (idempotent) and answers their ids; the state is left as it is.</summary>
    public static async Task<HashSet<string>> RecordAsync<TState>(IPersistentState<TState> state, IDestructionLedger ledger, string region)
        where TState : IDestructionProofState
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ledger);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var proof in state.State.PendingProofs.ToList())
        {
            await ledger.RecordAsync(region, proof);
            recorded.Add(proof.Id);
        }

        return recorded;
    }

    /// <summary>Records every pending proof (idempotent), then removes the recorded ones from the state in one write.</summary>
    public static async Task FlushAsync<TState>(IPersistentState<TState> state, IDestructionLedger ledger, string region, Action onUnknownOutcome)
        where TState : IDestructionProofState
    {
        var recorded = await RecordAsync(state, ledger, region);
        if (recorded.Count == 0)
        {
            return;
        }

        await state.UpdateAsync(() => (state.State.PendingProofs.RemoveAll(proof => recorded.Contains(proof.Id)) > 0, true), onUnknownOutcome);
    }
}
