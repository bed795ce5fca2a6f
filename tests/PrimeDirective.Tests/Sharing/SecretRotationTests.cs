using System.Net;
using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// Rotating a processor's secret breaks no delivery in flight: for <c>Sharing:SecretOverlap</c> (default one day, by the
/// policy clock) every message carries <c>X-PrimeDirective-Signature</c> under the new secret and, after a comma, under
/// the previous one; then only under the new one, and the previous secret is destroyed.
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class SecretRotationTests(SharingService service)
{
    [Fact]
    public async Task During_the_overlap_both_secrets_verify_a_push_after_it_only_the_new_one_and_the_old_secret_is_no_longer_stored()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var (oldSecret, newSecret) = (processor.Secret, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        var body = Sharing.ProcessorBody(processor, service.Clock.GetUtcNow());
        body["secret"] = newSecret;
        using (var rotate = await service.PutProcessorAsync(processorId, body))
        {
            Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
            Assert.DoesNotContain(newSecret, await rotate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // During the overlap: a processor still verifying with the old secret accepts the push, and so does one with the new.
        var first = await PushedAsync(processor, await service.SignUpAsync(), processorId);
        Assert.True(Verifies(first, oldSecret), "the old secret verifies during the overlap");
        Assert.True(Verifies(first, newSecret), "the new secret verifies during the overlap");
        Assert.Equal(2, Signatures(first).Length);
        Assert.True(await service.Database.CountRowsContainingAsync(oldSecret) > 0, "the previous secret is kept during the overlap");

        // After the overlap the reminder destroys the previous secret, with no delivery needed to notice.
        service.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await Eventually.ReturnsAsync(() => service.Database.CountRowsContainingAsync(oldSecret), rows => rows == 0, TimeSpan.FromSeconds(30), "the previous secret is destroyed");

        // Then only the new secret signs: a processor still on the old one rejects the push.
        var second = await PushedAsync(processor, await service.SignUpAsync(), processorId);
        Assert.True(Verifies(second, newSecret), "the new secret verifies after the overlap");
        Assert.False(Verifies(second, oldSecret), "the old secret no longer verifies after the overlap");
        Assert.Single(Signatures(second));
        Assert.Equal(0L, await service.Database.CountRowsContainingAsync(oldSecret));
        Assert.True(await service.Database.CountRowsContainingAsync(newSecret) > 0, "the new secret is kept");
    }

    /// <summary>Discloses <paramref name="person"/>'s account to the processor and returns the push it received.</summary>
    private async Task<LoopbackProcessor.Received> PushedAsync(LoopbackProcessor processor, Person person, string processorId)
    {
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        var disclosureId = (string)made["disclosure"]!["disclosureId"]!;
        var pushed = await Eventually.ReturnsAsync(
            () => Task.FromResult(processor.Packages().FirstOrDefault(push => push.Headers.GetValueOrDefault("X-PrimeDirective-Disclosure") == disclosureId)),
            push => push is not null, TimeSpan.FromSeconds(30), "the package is pushed");
        return pushed!;
    }

    /// <summary>The signatures of the header, as docs/sharing.md tells a processor to read it: comma-separated, spaces trimmed.</summary>
    private static string[] Signatures(LoopbackProcessor.Received push) =>
        push.Headers.TryGetValue("X-PrimeDirective-Signature", out var header) ? header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];

    /// <summary>What a processor holding only <paramref name="secret"/> decides: whether any signature is the HMAC-SHA256 of the body under it.</summary>
    private static bool Verifies(LoopbackProcessor.Received push, string secret)
    {
        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), push.Body)));
        return Signatures(push).Any(signature => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)));
    }
}
