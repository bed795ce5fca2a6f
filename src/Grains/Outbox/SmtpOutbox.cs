using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Outbox;

/// <summary>Submits each message to the configured SMTP relay over a connection of its own.</summary>
internal sealed class SmtpOutbox(IOptions<OutboxOptions> options, TimeProvider time, ILogger<SmtpOutbox> logger) : IOutbox
{
    private readonly OutboxOptions _options = options.Value;

    public async Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default)
    {
        using var mime = OutboxMime.Create(message, _options, time.GetUtcNow());
        var smtp = _options.Smtp;
        var host = smtp.Host ?? throw new InvalidOperationException("Outbox:Smtp:Host is not set.");

        using var client = new SmtpClient();
        await client.ConnectAsync(host, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        OutboxLog.Written(logger, "smtp");
    }

    /// <summary>The relay took the message; nothing of it is kept here.</summary>
    public Task DestroyCopiesAsync(GrainId owner, string? messageId = null) => Task.CompletedTask;

    /// <summary>The relay took the messages; there is nothing here to hand over.</summary>
    public Task AdoptCopiesAsync(GrainId previous, GrainId heir) => Task.CompletedTask;
}
