using MimeKit;
using MimeKit.Utils;

namespace PrimeDirective.Grains.Outbox;

/// <summary>Turns an <see cref="OutboxMessage"/> into the MIME message both transports send.</summary>
internal static class OutboxMime
{
    public static MimeMessage Create(OutboxMessage message, OutboxOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        // MimeKit would otherwise write a message to nobody ("To: <>").
        ArgumentException.ThrowIfNullOrWhiteSpace(message.To);
        var from = MailboxAddress.Parse(options.From);
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Body = new TextPart("plain") { Text = message.Body },
            Date = now,
            // The sender's domain, not the machine's host name, goes into the id.
            MessageId = MimeUtils.GenerateMessageId(from.Domain),
        };
        mime.From.Add(from);
        mime.To.Add(new MailboxAddress(message.ToName ?? "", message.To));
        return mime;
    }
}
