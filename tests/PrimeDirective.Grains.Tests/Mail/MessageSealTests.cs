using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.Mail;

/// <summary>
/// Messages kept in grain state are sealed under their owner's data key: unreadable without it, bound to owner and id,
/// tamper-evident, and gone with the owner's key at erasure.
/// </summary>
public sealed class MessageSealTests
{
    private static readonly string s_pseudonymKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly SiloParts _silo = new();

    private MessageSeal Seal => new(_silo.Sealer, Options.Create(new PrivacyOptions { PseudonymKey = s_pseudonymKey }));

    [Fact]
    public async Task A_sealed_message_is_under_its_owners_data_key_opens_to_itself_and_shows_nothing_of_it()
    {
        var owner = Owner();
        var message = new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", "Ada Lovelace", "Your Prime Directive sign-in code", "Your code: 12345678");

        var first = await Seal.SealAsync(owner, "id-1", message);
        var second = await Seal.SealAsync(owner, "id-1", message);

        Assert.StartsWith(MessageSeal.Prefix, first, StringComparison.Ordinal);
        var ownerKey = await _silo.Sealer.CurrentKeyAsync(MessageSeal.SubjectOf(owner));
        Assert.Equal(ownerKey.Id, Sealer.KeyIdOf(Convert.FromBase64String(first[MessageSeal.Prefix.Length..])));
        Assert.Equal(message, await Seal.OpenAsync(owner, Queued("id-1", first)));
        Assert.NotEqual(first, second);
        foreach (var personal in new[] { message.To, message.ToName!, message.Subject, message.Body, "12345678" })
        {
            Assert.DoesNotContain(personal, first, StringComparison.OrdinalIgnoreCase);
        }

        // Rendering the stored entry names no content either.
        Assert.DoesNotContain(first, Queued("id-1", first).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sealed_message_does_not_open_for_another_owner_another_id_or_after_tampering()
    {
        var (owner, other) = (Owner(), Owner());
        var message = new OutboxMessage("someone@example.invalid", null, "Subject", "Body");
        var sealedText = await Seal.SealAsync(owner, "id-1", message);
        var bytes = Convert.FromBase64String(sealedText[MessageSeal.Prefix.Length..]);
        bytes[^1] ^= 1;
        await Seal.SealAsync(other, "id-0", message);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => Seal.OpenAsync(other, Queued("id-1", sealedText)));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => Seal.OpenAsync(owner, Queued("id-2", sealedText)));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => Seal.OpenAsync(owner, Queued("id-1", MessageSeal.Prefix + Convert.ToBase64String(bytes))));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => Seal.OpenAsync(owner, Queued("id-1", MessageSeal.Prefix + Convert.ToBase64String(bytes[..20]))));
        Assert.Equal(message, await Seal.OpenAsync(owner, Queued("id-1", sealedText)));
    }

    [Fact]
    public async Task Once_the_owners_key_is_destroyed_a_queued_copy_opens_to_nothing_and_another_owners_still_opens()
    {
        var (owner, bystander) = (Owner(), Owner());
        var message = new OutboxMessage("erased@example.invalid", "Erased Person", "Subject", "Body canary-5e1d");
        var queued = await _silo.Sender.PrepareAsync(owner, message, _silo.Clock.GetUtcNow().AddDays(1));
        var kept = await _silo.Sender.PrepareAsync(bystander, message with { To = "kept@example.invalid" }, _silo.Clock.GetUtcNow().AddDays(1));

        Assert.NotNull(await _silo.Shredder.ShredAsync("eu", MessageSeal.SubjectOf(owner)));

        Assert.Null(await Seal.OpenAsync(owner, queued));
        Assert.Equal("kept@example.invalid", (await Seal.OpenAsync(bystander, kept))!.To);
    }

    [Fact]
    public async Task A_message_an_earlier_version_sealed_under_the_derived_key_still_opens_after_the_upgrade()
    {
        var owner = Owner();
        var message = new OutboxMessage("earlier@example.invalid", "Earlier", "Subject", "Body");
        var earlier = EarlierSeal("id-7", message);

        Assert.Equal(message, await Seal.OpenAsync(owner, Queued("id-7", earlier)));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => Seal.OpenAsync(owner, Queued("id-8", earlier)));
    }

    private static GrainId Owner() => GrainId.Create("user", $"eu/{Guid.NewGuid():N}");

    private static QueuedMessage Queued(string id, string sealedText) => new(id, sealedText, null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);

    /// <summary>The format an earlier version wrote: nonce ‖ tag ‖ ciphertext, AES-256-GCM under HKDF(pseudonym key), the id as associated data.</summary>
    private static string EarlierSeal(string id, OutboxMessage message)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(s_pseudonymKey), 32, salt: [], info: Encoding.UTF8.GetBytes("prime-directive outbox seal v1"));
        var plain = JsonSerializer.SerializeToUtf8Bytes(message);
        var output = new byte[12 + 16 + plain.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(output.AsSpan(0, 12), plain, output.AsSpan(28), output.AsSpan(12, 16), Encoding.UTF8.GetBytes(id));
        return Convert.ToBase64String(output);
    }
}
