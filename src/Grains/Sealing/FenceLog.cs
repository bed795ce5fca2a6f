using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrimeDirective.Grains.Sealing;

/// <summary><c>Keys:*</c>: where the fence log lives, outside both databases.</summary>
public sealed class FenceLogOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Keys";

    /// <summary>The directory used when <see cref="FenceLog"/> is not set (relative to the working directory): development only.</summary>
    public const string DefaultDirectory = "fence-log";

    /// <summary>
    /// A directory (a volume of its own, or an object-store mount) that receives one file per fence, written and flushed
    /// before the key is destroyed. Not inside the region database or the key store, so no restore of either rolls it back.
    /// </summary>
    public string? FenceLog { get; set; }
}

/// <summary>
/// A fence as the log outside both databases keeps it: the destroyed key's id, fingerprint and KEK version, its region
/// and when it was fenced; never its subject or a pseudonym (a restored key store names the subject again).
/// </summary>
/// <param name="KeyId">The key about to be destroyed.</param>
/// <param name="Fingerprint">Its fingerprint.</param>
/// <param name="KekVersion">The KEK version that wrapped it.</param>
/// <param name="Region">The region whose destruction ledger fences it.</param>
/// <param name="FencedAt">When it was fenced (just before its destruction).</param>
public sealed record FenceRecord(Guid KeyId, string Fingerprint, int KekVersion, string Region, DateTimeOffset FencedAt)
{
    /// <summary>The record of <paramref name="fence"/> in <paramref name="region"/>.</summary>
    public static FenceRecord Of(string region, KeyFence fence) =>
        new(fence.KeyId, fence.Fingerprint, fence.KekVersion, region, fence.DestroyedAt);

    /// <summary>The fence as the destruction ledger records it.</summary>
    public KeyFence ToFence() => new(KeyId, Fingerprint, KekVersion, FencedAt);
}

/// <summary>An append-only log of fences outside both databases, read by <c>restore-fences</c> after a restore.</summary>
public interface IFenceLog
{
    /// <summary>Appends <paramref name="record"/> durably; returns only once it would survive a crash.</summary>
    Task AppendAsync(FenceRecord record);

    /// <summary>Every fence logged, oldest first.</summary>
    Task<IReadOnlyList<FenceRecord>> ReadAsync();
}

/// <summary>
/// The fence log as a directory of files, one per fence, never rewritten: a file is created (never replaced), written
/// and flushed to the disk before the caller destroys the key. A file cut short by a crash names a key that was not
/// destroyed yet (the destruction waits for the flush), so the reader passes over it.
/// </summary>
public sealed class DirectoryFenceLog(string directory) : IFenceLog
{
    private const string Extension = ".fence";

    /// <summary>The directory the log writes to.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <inheritdoc />
    public async Task AppendAsync(FenceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        System.IO.Directory.CreateDirectory(Directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"{record.FencedAt.UtcDateTime:yyyyMMdd'T'HHmmssfffffff'Z'}-{record.KeyId:N}{Extension}");
        var path = Path.Combine(Directory, name);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough);
            await JsonSerializer.SerializeAsync(file, record, FenceLogJson.Default.FenceRecord);
            await file.FlushAsync();
            file.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            // The same fence logged again (a retried erasure at the same instant) is already durable; anything else is not.
            if (await ReadOneAsync(path) != record)
            {
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FenceRecord>> ReadAsync()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var records = new List<FenceRecord>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            if (await ReadOneAsync(path) is { } record)
            {
                records.Add(record);
            }
        }

        return [.. records.OrderBy(record => record.FencedAt).ThenBy(record => record.KeyId)];
    }

    private static async Task<FenceRecord?> ReadOneAsync(string path)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync(file, FenceLogJson.Default.FenceRecord);
        }
        catch (JsonException)
        {
            // Cut short by a crash before its key was destroyed.
            return null;
        }
    }
}

/// <summary>The fence log of the in-memory mode (no database, so no backup to restore): gone with the process.</summary>
public sealed class InMemoryFenceLog : IFenceLog
{
    private readonly ConcurrentQueue<FenceRecord> _records = new();

    /// <inheritdoc />
    public Task AppendAsync(FenceRecord record)
    {
        _records.Enqueue(record);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FenceRecord>> ReadAsync() => Task.FromResult<IReadOnlyList<FenceRecord>>([.. _records]);
}

[JsonSerializable(typeof(FenceRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class FenceLogJson : JsonSerializerContext;
