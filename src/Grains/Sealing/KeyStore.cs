using System.Collections.Concurrent;
using System.Data.Common;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Grains.Sealing;

/// <summary>A subject's data key, unwrapped: it never leaves the process and is never logged.</summary>
/// <param name="Id">The key's id (written into every value it seals).</param>
/// <param name="Subject">The subject the key belongs to (a grain key).</param>
/// <param name="KekVersion">The version of the KEK that wraps it in the key store.</param>
/// <param name="Material">The 256-bit AES key.</param>
/// <param name="Fingerprint">A one-way digest of the key: what receipts and the destruction ledger name.</param>
public sealed record DataKey(Guid Id, string Subject, int KekVersion, byte[] Material, string Fingerprint)
{
    /// <summary>The fingerprint of <paramref name="material"/>: the first 16 bytes of a SHA-256 under a fixed label, in hex.</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> material)
    {
        var label = "prime-directive key fingerprint|"u8;
        var input = new byte[label.Length + material.Length];
        label.CopyTo(input);
        material.CopyTo(input.AsSpan(label.Length));
        return Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 16));
    }
}

/// <summary>A data key as the key store holds it: wrapped by a KEK; an epoch key names the day it serves (<see cref="KeyEpoch"/>).</summary>
public sealed record WrappedKey(Guid Id, string Subject, int KekVersion, byte[] Wrapped, string Fingerprint, DateTimeOffset CreatedAt, DateOnly? EpochDay = null);

/// <summary>The rows of the key store: a database of its own (<c>ConnectionStrings:KeyStore</c>), or memory in the single-process mode.</summary>
public interface IKeyRows
{
    /// <summary>Inserts <paramref name="key"/> unless its subject has a key; answers the subject's key either way.</summary>
    Task<WrappedKey> InsertOrGetAsync(WrappedKey key);

    /// <summary>The key with id <paramref name="keyId"/>, or <c>null</c> if it was destroyed (or never existed).</summary>
    Task<WrappedKey?> FindAsync(Guid keyId);

    /// <summary>The live key of <paramref name="subject"/>, or <c>null</c>.</summary>
    Task<WrappedKey?> FindBySubjectAsync(string subject);

    /// <summary>Deletes the key <paramref name="keyId"/>; <c>true</c> if it was there.</summary>
    Task<bool> DeleteAsync(Guid keyId);

    /// <summary>The epoch keys whose day is before <paramref name="today"/> (their day is over).</summary>
    Task<IReadOnlyList<WrappedKey>> EpochsBeforeAsync(DateOnly today);

    /// <summary>The keys whose name (subject column) starts with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<WrappedKey>> NamedFromAsync(string prefix);

    /// <summary>Answers if the store can be reached; throws otherwise.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The key store: a random 256-bit data key per subject, created on first use, wrapped by the active KEK; destroyed on
/// erasure. Failures to reach the store surface as <see cref="KeyStoreUnavailableException"/> (a 503 at the gateway).
/// </summary>
public sealed class KeyStore(IKeyRows rows, KeyEncryptionKeys keks, TimeProvider time, KeyMetrics? metrics = null)
{
    /// <summary>The subject's live key, created if it has none (its first write, or its first after an erasure: a new incarnation).</summary>
    public async Task<DataKey> CurrentAsync(string subject) => await CurrentAsync(subject, epochDay: null);

    /// <summary>The live key of <paramref name="subject"/> (an epoch's name with its <paramref name="epochDay"/>), created if it has none.</summary>
    public async Task<DataKey> CurrentAsync(string subject, DateOnly? epochDay)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var existing = await Guard(() => rows.FindBySubjectAsync(subject));
        if (existing is not null)
        {
            return Unwrap(existing);
        }

        var id = Guid.CreateVersion7(time.GetUtcNow());
        var material = RandomNumberGenerator.GetBytes(32);
        var fresh = new WrappedKey(id, subject, keks.Active, keks.Wrap(id, material), DataKey.FingerprintOf(material), time.GetUtcNow(), epochDay);
        CryptographicOperations.ZeroMemory(material);
        return Unwrap(await Guard(() => rows.InsertOrGetAsync(fresh)));
    }

    /// <summary>The key with id <paramref name="keyId"/>, or <c>null</c> if it was destroyed.</summary>
    public async Task<DataKey?> FindAsync(Guid keyId) => await Guard(() => rows.FindAsync(keyId)) is { } found ? Unwrap(found) : null;

    /// <summary>The subject's live key (id, fingerprint, KEK version), or <c>null</c>; never creates one.</summary>
    public Task<WrappedKey?> PeekAsync(string subject) => Guard(() => rows.FindBySubjectAsync(subject));

    /// <summary>Destroys the key <paramref name="keyId"/>: every value it sealed, wherever copied, no longer opens.</summary>
    public Task<bool> DestroyAsync(Guid keyId) => Guard(() => rows.DeleteAsync(keyId));

    /// <summary>The epoch keys whose day is over at <paramref name="today"/> (id, name, fingerprint; never unwrapped).</summary>
    public Task<IReadOnlyList<WrappedKey>> EpochsBeforeAsync(DateOnly today) => Guard(() => rows.EpochsBeforeAsync(today));

    /// <summary>The keys whose name starts with <paramref name="prefix"/> (id, name, fingerprint; never unwrapped).</summary>
    public Task<IReadOnlyList<WrappedKey>> NamedFromAsync(string prefix) => Guard(() => rows.NamedFromAsync(prefix));

    /// <summary>Answers if the store can be reached; throws <see cref="KeyStoreUnavailableException"/> otherwise.</summary>
    public Task PingAsync(CancellationToken cancellationToken) => Guard(async () =>
    {
        await rows.PingAsync(cancellationToken);
        return true;
    });

    private DataKey Unwrap(WrappedKey key) =>
        new(key.Id, key.Subject, key.KekVersion, keks.Unwrap(key.Id, key.KekVersion, key.Wrapped), key.Fingerprint);

    private async Task<T> Guard<T>(Func<Task<T>> call)
    {
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            metrics?.Called(startedAt, ok: true);
            return result;
        }
        catch (Exception exception) when (exception is DbException or TimeoutException or SocketException or IOException)
        {
            metrics?.Called(startedAt, ok: false);

            // The type only: a driver's message may carry connection details.
            throw new KeyStoreUnavailableException(exception.GetType().Name);
        }
    }
}

/// <summary>The key store's rows in their own PostgreSQL database (table <c>data_keys</c>, migration K001).</summary>
internal sealed class PostgresKeyRows(string connectionString) : IKeyRows
{
    private const string Columns = "key_id, subject, kek_version, wrapped, fingerprint, created_at, epoch_day";

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "prime-directive-keys", Timeout = 5 }.ConnectionString);

    public async Task<WrappedKey> InsertOrGetAsync(WrappedKey key)
    {
        await using var command = _source.CreateCommand(
            $"""
            insert into data_keys ({Columns}) values (@id, @subject, @version, @wrapped, @fingerprint, @at, @day)
            on conflict (subject) do nothing
            """);
        command.Parameters.AddWithValue("id", key.Id);
        command.Parameters.AddWithValue("subject", key.Subject);
        command.Parameters.AddWithValue("version", key.KekVersion);
        command.Parameters.AddWithValue("wrapped", key.Wrapped);
        command.Parameters.AddWithValue("fingerprint", key.Fingerprint);
        command.Parameters.AddWithValue("at", key.CreatedAt.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter<DateOnly?>("day", NpgsqlTypes.NpgsqlDbType.Date) { TypedValue = key.EpochDay });
        await command.ExecuteNonQueryAsync();

        // Another silo may have created the subject's key first: everyone uses that one.
        return await FindBySubjectAsync(key.Subject) ?? throw new InvalidOperationException("A data key vanished while it was being created.");
    }

    public async Task<WrappedKey?> FindAsync(Guid keyId) => First(await QueryAsync("key_id = @value", keyId));

    public async Task<WrappedKey?> FindBySubjectAsync(string subject) => First(await QueryAsync("subject = @value", subject));

    public Task<IReadOnlyList<WrappedKey>> EpochsBeforeAsync(DateOnly today) => QueryAsync("epoch_day < @value order by epoch_day, key_id", today);

    // Asked only when a legal hold has ended (rare), so a scan is acceptable; a collation's order cannot bound a prefix.
    public Task<IReadOnlyList<WrappedKey>> NamedFromAsync(string prefix) => QueryAsync("starts_with(subject, @value) order by key_id", prefix);

    public async Task<bool> DeleteAsync(Guid keyId)
    {
        await using var command = _source.CreateCommand("delete from data_keys where key_id = @id");
        command.Parameters.AddWithValue("id", keyId);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("select 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private static WrappedKey? First(IReadOnlyList<WrappedKey> keys) => keys.Count > 0 ? keys[0] : null;

    private async Task<IReadOnlyList<WrappedKey>> QueryAsync(string where, object value)
    {
        await using var command = _source.CreateCommand($"select {Columns} from data_keys where {where}");
        command.Parameters.AddWithValue("value", value);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<WrappedKey>();
        while (await reader.ReadAsync())
        {
            keys.Add(new WrappedKey(
                reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], reader.GetString(4),
                new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateOnly>(6)));
        }

        return keys;
    }
}

/// <summary>The key store of the in-memory development mode: gone with the process, like the data it opens.</summary>
internal sealed class InMemoryKeyRows : IKeyRows
{
    private readonly ConcurrentDictionary<Guid, WrappedKey> _byId = new();
    private readonly ConcurrentDictionary<string, WrappedKey> _bySubject = new(StringComparer.Ordinal);

    public Task<WrappedKey> InsertOrGetAsync(WrappedKey key)
    {
        var kept = _bySubject.GetOrAdd(key.Subject, key);
        _byId.TryAdd(kept.Id, kept);
        return Task.FromResult(kept);
    }

    public Task<WrappedKey?> FindAsync(Guid keyId) => Task.FromResult(_byId.GetValueOrDefault(keyId));

    public Task<WrappedKey?> FindBySubjectAsync(string subject) => Task.FromResult(_bySubject.GetValueOrDefault(subject));

    public Task<bool> DeleteAsync(Guid keyId)
    {
        if (!_byId.TryRemove(keyId, out var removed))
        {
            return Task.FromResult(false);
        }

        _bySubject.TryRemove(KeyValuePair.Create(removed.Subject, removed));
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<WrappedKey>> EpochsBeforeAsync(DateOnly today) =>
        Task.FromResult<IReadOnlyList<WrappedKey>>([.. _byId.Values.Where(key => key.EpochDay < today).OrderBy(key => key.EpochDay)]);

    public Task<IReadOnlyList<WrappedKey>> NamedFromAsync(string prefix) =>
        Task.FromResult<IReadOnlyList<WrappedKey>>([.. _byId.Values.Where(key => key.Subject.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(key => key.Id)]);

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every live key (for the KEK rotation).</summary>
    internal IReadOnlyList<WrappedKey> All() => [.. _byId.Values];

    /// <summary>Replaces <paramref name="current"/> by its re-wrapping <paramref name="updated"/>, unless it was destroyed meanwhile.</summary>
    internal bool Replace(WrappedKey current, WrappedKey updated) =>
        _byId.TryUpdate(current.Id, updated, current) && _bySubject.TryUpdate(current.Subject, updated, current);
}
