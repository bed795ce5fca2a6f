using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// A disclosure package lives no longer than its reason: an erasure destroys it, and every push attempt first asks
/// whether the subject's data may still leave, whether the processor's contract still holds, and whether the push
/// lifetime is over; if not, the package is destroyed undelivered.
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class PackageLifecycleTests(SharingService service)
{
    private static readonly int[] s_down = [.. Enumerable.Repeat(503, 100_000)];

    [Fact]
    public async Task Erasure_destroys_a_capability_package_counts_it_in_the_receipt_and_its_url_answers_404()
    {
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();
        foreach (var someone in new[] { person, other })
        {
            await service.SetConsentAsync(someone, "third-party-sharing", granted: true);
        }

        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Archive Partner", ["account"]));
        var othersMade = await service.DisclosedAsync(Sharing.ForPerson(other, "consent", "Archive Partner", ["account"]));
        var url = (string)made["packageUrl"]!;
        var capability = Sharing.CapabilityKey(made);
        var copy = await Keys.CryptoShreddingTests.SealedPayloadAsync(service.Database, capability);
        Assert.Equal(1L, await service.DataKeysAsync(capability));
        using (var before = await service.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Contains(person.Email, await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var done = await service.ReceiptWhenAsync(await service.EraseAsync(person), "completed");

        // Measured on the old code: the URL still answered 200 with the email after the receipt said completed.
        var packages = Assert.Single(done["receipts"]!.AsArray(), receipt => (string?)receipt!["subject"] == "disclosure-packages")!;
        Assert.Equal(3, (int)packages["itemsByCategory"]!["account"]!);
        using (var after = await service.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
            Assert.DoesNotContain(person.Email, await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal((0L, 0L), await service.RowsAsync(capability));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));

        // The package's own key went with it: a copy a backup took before opens nowhere.
        Assert.Equal(0L, await service.DataKeysAsync(capability));
        Assert.Null(await service.Database.Sealer!.OpenAsync(Grains.Sealing.SealedGrainStorage.ContextFor(capability), copy));

        // The other person's package still works.
        using var others = await service.Http.GetAsync((string)othersMade["packageUrl"]!);
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
        Assert.Contains(other.Email, await others.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_to_a_processor_that_is_down_is_destroyed_undelivered_once_its_contract_expired()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor, contractLeft: TimeSpan.FromDays(2));
        var person = await service.SignUpAsync();
        processor.AnswerFirst(s_down);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        var key = Sharing.PushKey(made);
        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Packages().Count), count => count >= 2, TimeSpan.FromSeconds(30), "the push is retried while the processor is down");

        service.Clock.Advance(TimeSpan.FromDays(3));

        // The next attempt finds the contract over: the package and its reminder go, and nothing was ever accepted.
        await Eventually.ReturnsAsync(() => service.RowsAsync(key), rows => rows == (0L, 0L), TimeSpan.FromSeconds(30), "the package is destroyed");
        Assert.Single(await service.LedgerAsync(person));
        Assert.Contains(service.Logs.GetSnapshot(), log => log.Message.Contains($"{key} destroyed: contract-not-current", StringComparison.Ordinal));
        Assert.Equal(0L, await service.DataKeysAsync(key));
    }

    [Fact]
    public async Task A_delivered_push_keeps_only_its_delivery_under_a_new_key_so_a_copy_of_the_package_taken_before_opens_nowhere()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();
        processor.AnswerFirst(503);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        var key = Sharing.PushKey(made);
        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Packages().Count), count => count >= 1, TimeSpan.FromSeconds(30), "the first push refused");
        var copy = await Keys.CryptoShreddingTests.SealedPayloadAsync(service.Database, key);
        var context = Grains.Sealing.SealedGrainStorage.ContextFor(key);
        var opened = await service.Database.Sealer!.OpenAsync(context, copy);
        Assert.Contains(person.Email, System.Text.Encoding.UTF8.GetString(opened!), StringComparison.Ordinal);

        // Delivered by the retry: the row stays with the delivery only, sealed under another key; the copy opens nowhere.
        await Eventually.ReturnsAsync(
            async () => await service.Database.GrainStateJsonAsync(key) is { } json && json.Contains("DeliveredAt\":\"", StringComparison.Ordinal),
            delivered => delivered, TimeSpan.FromSeconds(30), "the push delivered");
        Assert.Null(await service.Database.Sealer!.OpenAsync(context, copy));
        var now = await Keys.CryptoShreddingTests.SealedPayloadAsync(service.Database, key);
        Assert.NotEqual(Grains.Sealing.Sealer.KeyIdOf(copy), Grains.Sealing.Sealer.KeyIdOf(now));
        Assert.DoesNotContain(person.Email, await service.Database.GrainStateJsonAsync(key), StringComparison.Ordinal);
        Assert.Equal(1L, await service.DataKeysAsync(key));
        Assert.Equal(1L, await service.Database.ScalarAsync<long>("select count(*) from key_fences where key_id = @id", ("id", Grains.Sealing.Sealer.KeyIdOf(copy))));
    }

    [Fact]
    public async Task A_push_is_destroyed_once_its_subject_is_closed_even_while_a_legal_hold_defers_the_erasure()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();
        using (var hold = await service.Admin.SendAsync(service.Officer.Request(
            HttpMethod.Put, $"/v1/admin/legal-holds/users/{person.UserId}", new { reason = "Preservation order", reference = $"case-{Guid.NewGuid():N}" })))
        {
            Assert.Equal(HttpStatusCode.OK, hold.StatusCode);
        }

        processor.AnswerFirst(s_down);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        var key = Sharing.PushKey(made);
        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Packages().Count), count => count >= 1, TimeSpan.FromSeconds(30), "the first attempt is refused");

        // The erasure closes the account at once; the hold keeps the rest, so the workflow's own step never reaches the package.
        var held = await service.ReceiptWhenAsync(await service.EraseAsync(person), "on-hold");
        Assert.DoesNotContain(held["receipts"]!.AsArray(), receipt => (string?)receipt!["subject"] == "disclosure-packages");

        // Measured on the old code: the push kept retrying after the erasure and delivered once the processor answered.
        await Eventually.ReturnsAsync(() => service.RowsAsync(key), rows => rows == (0L, 0L), TimeSpan.FromSeconds(30), "the next attempt destroys the package");
        Assert.Contains(service.Logs.GetSnapshot(), log => log.Message.Contains($"{key} destroyed: subject-closed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_push_unacknowledged_for_the_push_lifetime_is_given_up_and_destroyed()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();
        processor.AnswerFirst(s_down);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        var key = Sharing.PushKey(made);
        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Packages().Count), count => count >= 2, TimeSpan.FromSeconds(30), "the push is retried");

        // Six days on it is still retried: the lifetime (7 days) is not over.
        service.Clock.Advance(TimeSpan.FromDays(6));
        var seen = processor.Packages().Count;
        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Packages().Count), count => count > seen, TimeSpan.FromSeconds(30), "still retried on day six");
        Assert.Equal(1, (await service.RowsAsync(key)).States);

        service.Clock.Advance(TimeSpan.FromDays(1.5));
        await Eventually.ReturnsAsync(() => service.RowsAsync(key), rows => rows == (0L, 0L), TimeSpan.FromSeconds(30), "the package is given up and destroyed");
        Assert.Contains(service.Logs.GetSnapshot(), log => log.Message.Contains($"{key} destroyed: lifetime-over", StringComparison.Ordinal));
        Assert.Single(await service.LedgerAsync(person));
    }
}
