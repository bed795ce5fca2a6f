using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Tests.Mail;

/// <summary>Messages kept in grain state are sealed: unreadable without the key, bound to their id, tamper-evident.</summary>
public sealed class MessageSealTests
{
    private static readonly string s_key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_sealed_message_opens_to_itself_and_shows_nothing_of_it()
    {
        var seal = SealWith(s_key);
        var message = new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", "Ada Lovelace", "Your Prime Directive sign-in code", "Your code: 12345678");

        var first = seal.Seal("id-1", message);
        var second = seal.Seal("id-1", message);

        Assert.Equal(message, seal.Open(Queued("id-1", first)));
        Assert.NotEqual(first, second);
        foreach (var personal in new[] { message.To, message.ToName!, message.Subject, message.Body, "12345678" })
        {
            Assert.DoesNotContain(personal, first, StringComparison.OrdinalIgnoreCase);
        }

        // Rendering the stored entry names no content either.
        Assert.DoesNotContain(first, Queued("id-1", first).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_sealed_message_does_not_open_under_another_key_another_id_or_after_tampering()
    {
        var message = new OutboxMessage("someone@example.invalid", null, "Subject", "Body");
        var sealedText = SealWith(s_key).Seal("id-1", message);
        var bytes = Convert.FromBase64String(sealedText);
        bytes[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => SealWith(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Open(Queued("id-1", sealedText)));
        Assert.ThrowsAny<CryptographicException>(() => SealWith(s_key).Open(Queued("id-2", sealedText)));
        Assert.ThrowsAny<CryptographicException>(() => SealWith(s_key).Open(Queued("id-1", Convert.ToBase64String(bytes))));
        Assert.ThrowsAny<CryptographicException>(() => SealWith(s_key).Open(Queued("id-1", Convert.ToBase64String(bytes[..20]))));
    }

    private static MessageSeal SealWith(string key) => new(Options.Create(new PrivacyOptions { PseudonymKey = key }));

    private static QueuedMessage Queued(string id, string sealedText) => new(id, sealedText, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);
}
