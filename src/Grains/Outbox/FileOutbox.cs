using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// Writes each message as one <c>.eml</c> file, for development and for a mail pickup process. A file is named
/// <c>{written}-{owner tag}-{message id}.eml</c> and stamped with the policy's time of writing: it is deleted
/// <see cref="OutboxOptions.FileLifetime"/> after that (by the silo's <see cref="FileOutboxExpiry"/>), and at once when
/// its owner is erased (by the owner's tag, a hash of its pseudonymous grain key, so no list of files needs keeping).
/// </summary>
internal sealed class FileOutbox(IOptions<OutboxOptions> options, TimeProvider time, PolicyClock policy, ILogger<FileOutbox> logger) : IOutbox
{
    private const string WrittenFormat = "yyyyMMdd'T'HHmmssfff'Z'";

    private readonly OutboxOptions _options = options.Value;

    private readonly string _directory = string.IsNullOrWhiteSpace(options.Value.Directory)
        ? Path.Combine(AppContext.BaseDirectory, ".outbox")
        : Path.GetFullPath(options.Value.Directory);

    // Completed when a file is written, so the expiry loop plans its next pass from the new file too.
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        EnsureId(origin.MessageId);
        var now = time.GetUtcNow();
        using var mime = OutboxMime.Create(message, _options, now);
        Directory.CreateDirectory(_directory);

        // Written under a name that is not *.eml, then renamed: a reader polling *.eml never sees a partial file.
        var temporary = Path.Combine(_directory, $".{Guid.NewGuid():N}.tmp");
        var final = Path.Combine(
            _directory,
            $"{now.UtcDateTime.ToString(WrittenFormat, CultureInfo.InvariantCulture)}-{Tag(origin.Owner)}-{origin.MessageId}.eml");
        var moved = false;
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream)
            {
                await mime.WriteToAsync(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            // A message sent again (at least once) in the same millisecond is the same file.
            // The policy's time of writing is what its lifetime counts from (the same as the name's, unless a test moved it).
            File.SetLastWriteTimeUtc(temporary, policy.GetUtcNow().UtcDateTime);
            File.Move(temporary, final, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                DeleteQuietly(temporary);
            }
        }

        Interlocked.Exchange(ref _written, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        OutboxLog.Written(logger, "file");
    }

    public Task DestroyCopiesAsync(GrainId owner, string? messageId = null)
    {
        if (messageId is not null)
        {
            EnsureId(messageId);
        }

        if (Directory.Exists(_directory))
        {
            foreach (var file in Directory.EnumerateFiles(_directory, $"*-{Tag(owner)}-{messageId ?? "*"}.eml"))
            {
                File.Delete(file);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Renames <paramref name="previous"/>'s files to <paramref name="heir"/>'s tag; their time of writing, and so their lifetime, stay.</summary>
    public Task AdoptCopiesAsync(GrainId previous, GrainId heir)
    {
        var (previousTag, heirTag) = (Tag(previous), Tag(heir));
        if (Directory.Exists(_directory))
        {
            foreach (var file in Directory.EnumerateFiles(_directory, $"*-{previousTag}-*.eml"))
            {
                var name = Path.GetFileName(file);
                var at = name.IndexOf($"-{previousTag}-", StringComparison.Ordinal);
                File.Move(file, Path.Combine(_directory, $"{name[..at]}-{heirTag}-{name[(at + previousTag.Length + 2)..]}"), overwrite: true);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Deletes every file written <see cref="OutboxOptions.FileLifetime"/> ago or earlier (files not named as ours stay),
    /// then waits for the next one's time, a new file, or an hour, until stopped.
    /// </summary>
    public async Task ExpireAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var written = Volatile.Read(ref _written).Task;
            var now = policy.GetUtcNow();
            DateTimeOffset? next = null;
            try
            {
                next = ExpireDue(now);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The directory went away or cannot be read now: the next pass tries again.
                OutboxLog.ExpiryFailed(logger, exception.GetType().Name);
            }

            var wait = next is { } due ? due - now : MaxWait;
            wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;
            try
            {
                var pause = Task.Delay(wait, policy, stopping);

                // The clock may have moved on while this pass ran (a test's clock jumps): then the pause started too late.
                if (next is { } passed && policy.GetUtcNow() >= passed)
                {
                    continue;
                }

                await Task.WhenAny(pause, written).WaitAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>The longest pause between two passes: files another process wrote into the directory are seen by then.</summary>
    internal static TimeSpan MaxWait { get; } = TimeSpan.FromHours(1);

    /// <summary>Deletes the expired files; returns when the next file expires, if any.</summary>
    private DateTimeOffset? ExpireDue(DateTimeOffset now)
    {
        if (!Directory.Exists(_directory))
        {
            return null;
        }

        DateTimeOffset? next = null;
        foreach (var file in Directory.EnumerateFiles(_directory, "*.eml"))
        {
            var name = Path.GetFileName(file);
            if (name.Length < 19 || !DateTime.TryParseExact(name[..19], WrittenFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                continue;
            }

            var expires = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero) + _options.FileLifetime;
            if (expires <= now)
            {
                DeleteQuietly(file);
            }
            else if (next is null || expires < next)
            {
                next = expires;
            }
        }

        return next;
    }

    /// <summary>An owner's tag in file names: the first 16 hex digits of SHA-256 of its (pseudonymous) grain id.</summary>
    private static string Tag(GrainId owner) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(owner.ToString())))[..16];

    /// <summary>Ids become part of a file name and a search pattern: only the sender's own hex ids are accepted.</summary>
    private static void EnsureId(string messageId)
    {
        if (messageId.Length is 0 or > 64 || !messageId.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("A message id is hex digits only.", nameof(messageId));
        }
    }

    // Cleanup must not hide the failure that caused it, nor stop a pass over the other files.
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
