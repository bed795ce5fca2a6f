using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// With retries and expiry checks an hour apart, a push is still made at once (a grain timer, the reminder only the
/// retry), and an erasure still destroys a push that waits for its retry.
/// </summary>
[Collection(HourlySharingFixture.Name)]
public sealed class PushTimingTests(HourlySharingService service)
{
    [Fact]
    public async Task A_push_due_now_reaches_the_processor_within_seconds_not_a_retry_period_later()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();

        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));

        // Measured on the old code: the first attempt came one retry period (here an hour) after the 201.
        var pushed = await Eventually.ReturnsAsync(
            () => Task.FromResult(processor.Packages()), packages => packages.Count > 0, TimeSpan.FromSeconds(30), "the package arrives without waiting for the reminder");
        var package = Assert.Single(pushed);
        Assert.True(LoopbackProcessor.IsSignedWith(package, "X-PrimeDirective-Signature", processor.Secret));
        Assert.Equal((string)made["disclosure"]!["disclosureId"]!, package.Headers["X-PrimeDirective-Disclosure"]);
        Assert.Contains(person.Email, package.Text, StringComparison.Ordinal);

        // Acknowledged: our copy is emptied and nothing is left to retry.
        var key = Sharing.PushKey(made);
        await Eventually.ReturnsAsync(() => service.RowsAsync(key), rows => rows.Reminders == 0, TimeSpan.FromSeconds(30), "the acknowledged push's reminder is gone");
        Assert.DoesNotContain(person.Email, await service.StatePayloadAsync(key), StringComparison.Ordinal);
        Assert.Single(processor.Packages());
    }

    [Fact]
    public async Task Erasure_destroys_a_push_waiting_for_its_retry_and_counts_it_in_the_receipt()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();
        processor.AnswerFirst(503, 503);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        var othersMade = await service.DisclosedAsync(Sharing.ForPerson(other, "processor", processorId));
        await Eventually.ReturnsAsync(
            () => Task.FromResult(processor.Packages().Count), count => count == 2, TimeSpan.FromSeconds(30), "both first attempts were refused");
        var (key, othersKey) = (Sharing.PushKey(made), Sharing.PushKey(othersMade));
        Assert.Equal(1, (await service.RowsAsync(key)).States);

        var done = await service.ReceiptWhenAsync(await service.EraseAsync(person), "completed");

        // The package, and the reminder that would have pushed it in an hour, are gone; the receipt counts what it held.
        var packages = Assert.Single(done["receipts"]!.AsArray(), receipt => (string?)receipt!["subject"] == "disclosure-packages")!;
        Assert.Equal(3, (int)packages["itemsByCategory"]!["account"]!);
        Assert.Equal((0L, 0L), await service.RowsAsync(key));
        Assert.Single(processor.Packages(), request => request.Text.Contains(person.Email, StringComparison.Ordinal));

        // The other person's waiting push is untouched: still stored, still due for its retry.
        Assert.Equal((1L, 1L), await service.RowsAsync(othersKey));
        Assert.Contains(processor.Packages(), request => request.Text.Contains(other.Email, StringComparison.Ordinal));
        Assert.Single(await service.LedgerAsync(other));
    }
}
