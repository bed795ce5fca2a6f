using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MimeKit;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>Reads the service's file outbox (<c>Outbox:Directory</c>): the messages sent to one address, and the codes in them.</summary>
public sealed partial class TestOutbox(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Every message sent to <paramref name="address"/> so far, oldest first.</summary>
    public async Task<IReadOnlyList<MimeMessage>> MessagesToAsync(string address)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var messages = new List<MimeMessage>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.eml").Order(StringComparer.Ordinal))
        {
            if (await LoadAsync(file) is not { } message)
            {
                continue;
            }

            if (message.To.Mailboxes.Any(mailbox => string.Equals(mailbox.Address, address, StringComparison.OrdinalIgnoreCase)))
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>
    /// The message in <paramref name="file"/>, parsed once: a file is renamed to <c>*.eml</c> only once written, and never
    /// rewritten (a message sent again gets a file of its own), so a file of the same length and time is the same message.
    /// <c>null</c> if the file was deleted meanwhile (an erasure, or the end of its lifetime).
    /// </summary>
    private async Task<MimeMessage?> LoadAsync(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            return null;
        }

        var stamp = (info.Length, info.LastWriteTimeUtc);
        if (_parsed.TryGetValue(file, out var known) && known.Stamp == stamp)
        {
            return known.Message;
        }

        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(file);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        _parsed[file] = (stamp, message);
        return message;
    }

    private readonly ConcurrentDictionary<string, ((long Length, DateTime Written) Stamp, MimeMessage Message)> _parsed = new(StringComparer.Ordinal);

    /// <summary>Waits until <paramref name="address"/> has received more than <paramref name="seen"/> messages; returns the newest.</summary>
    public async Task<MimeMessage> NextMessageAsync(string address, int seen)
    {
        var messages = await Eventually.ReturnsAsync(
            () => MessagesToAsync(address), all => all.Count > seen, TimeSpan.FromSeconds(30), $"message #{seen + 1} in the outbox");
        return messages[^1];
    }

    /// <summary>The one-time code in the newest message once more than <paramref name="seen"/> messages reached the address.</summary>
    public async Task<string> NextCodeAsync(string address, int seen = 0) => CodeIn(await NextMessageAsync(address, seen));

    public static string CodeIn(MimeMessage message) =>
        CodePattern().Match(message.TextBody ?? string.Empty) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("The message carries no code.");

    [GeneratedRegex(@"Your code: (\d{8})")]
    private static partial Regex CodePattern();
}
