using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MimeKit;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The one-time codes the gateway mails, read from its file outbox (<c>Outbox:Directory</c>, one <c>.eml</c> file per
/// message, renamed into place only once written) as a person reads their mail: each file is parsed once, its codes
/// kept by address and subject. The bench never sees a code any other way.
/// </summary>
internal sealed partial class MailCodes(string directory) : IDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, bool> _read = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Address, string Subject), ConcurrentQueue<string>> _codes = new();
    private readonly SemaphoreSlim _scan = new(1, 1);

    public string Directory { get; } = directory;

    /// <summary>The first code mailed to <paramref name="address"/> under <paramref name="subject"/> not yet taken; waits for it until the deadline.</summary>
    public async Task<string> TakeAsync(string address, string subject, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (_codes.TryGetValue((address, subject), out var codes) && codes.TryDequeue(out var code))
            {
                return code;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"No message \"{subject}\" reached a bench address within {timeout.TotalSeconds:0} s.");
            }

            await ScanAsync(cancellationToken);
            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        // One reader at a time; the others wait for its pass instead of parsing the same files again.
        await _scan.WaitAsync(cancellationToken);
        try
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return;
            }

            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.eml"))
            {
                if (!_read.TryAdd(file, true))
                {
                    continue;
                }

                MimeMessage message;
                try
                {
                    message = await MimeMessage.LoadAsync(file, cancellationToken);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }

                if (CodePattern().Match(message.TextBody ?? string.Empty) is not { Success: true } match)
                {
                    continue;
                }

                foreach (var to in message.To.Mailboxes)
                {
                    _codes.GetOrAdd((to.Address.ToLowerInvariant(), message.Subject ?? string.Empty), _ => new ConcurrentQueue<string>()).Enqueue(match.Groups[1].Value);
                }
            }
        }
        finally
        {
            _scan.Release();
        }
    }

    public void Dispose() => _scan.Dispose();

    [GeneratedRegex(@"Your code: (\d{8})")]
    private static partial Regex CodePattern();
}
