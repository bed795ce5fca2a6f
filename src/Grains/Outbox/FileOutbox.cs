using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Outbox;

/// <summary>Writes each message as one <c>.eml</c> file, for development and for a mail pickup process.</summary>
internal sealed class FileOutbox(IOptions<OutboxOptions> options, TimeProvider time, ILogger<FileOutbox> logger) : IOutbox
{
    private readonly OutboxOptions _options = options.Value;

    private readonly string _directory = string.IsNullOrWhiteSpace(options.Value.Directory)
        ? Path.Combine(AppContext.BaseDirectory, ".outbox")
        : Path.GetFullPath(options.Value.Directory);

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        using var mime = OutboxMime.Create(message, _options, now);
        Directory.CreateDirectory(_directory);

        // Written under a name that is not *.eml, then renamed: a reader polling *.eml never sees a partial file.
        var temporary = Path.Combine(_directory, $".{Guid.NewGuid():N}.tmp");
        var final = Path.Combine(
            _directory,
            $"{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.eml");
        var moved = false;
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (stream)
            {
                await mime.WriteToAsync(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            File.Move(temporary, final);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                DeleteQuietly(temporary);
            }
        }

        OutboxLog.Written(logger, "file");
    }

    // Cleanup after a failed write must not hide the failure itself.
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
