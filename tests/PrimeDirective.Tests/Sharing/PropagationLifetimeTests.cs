using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>An erasure notice to a processor that never answers is retried for <c>Sharing:PropagationLifetime</c> (30 days), then abandoned.</summary>
[Collection(SharingFixture.Name)]
public sealed class PropagationLifetimeTests(SharingService service)
{
    private static readonly int[] s_gone = [.. Enumerable.Repeat(500, 100_000)];

    [Fact]
    public async Task A_notice_unanswered_for_the_propagation_lifetime_is_abandoned_its_identities_destroyed_and_the_receipt_says_so()
    {
        await using var gone = await LoopbackProcessor.StartAsync();
        await using var prompt = await LoopbackProcessor.StartAsync();
        var goneId = await service.RegisterAsync(gone);
        var promptId = await service.RegisterAsync(prompt);
        var person = await service.SignUpAsync();
        await service.DisclosedAsync(Sharing.ForPerson(person, "processor", goneId));
        await service.DisclosedAsync(Sharing.ForPerson(person, "processor", promptId));
        await Eventually.ReturnsAsync(
            () => Task.FromResult((gone.Packages().Count, prompt.Packages().Count)), counts => counts == (1, 1), TimeSpan.FromSeconds(30), "both packages arrive");

        // From now on the first processor answers nothing but errors: it is gone.
        gone.AnswerFirst(s_gone);
        var receiptUrl = await service.EraseAsync(person);
        await service.ReceiptWhenAsync(receiptUrl, "completed");
        await Eventually.ReturnsAsync(
            () => Task.FromResult(gone.Requests.Count(request => request.Path == "/erasure")), count => count >= 2, TimeSpan.FromSeconds(30), "the notice is retried");

        // Until the lifetime is over it stays pending, with the person's address kept for the next attempt.
        service.Clock.Advance(TimeSpan.FromDays(29));
        var attempts = gone.Requests.Count(request => request.Path == "/erasure");
        await Eventually.ReturnsAsync(
            () => Task.FromResult(gone.Requests.Count(request => request.Path == "/erasure")), count => count > attempts, TimeSpan.FromSeconds(60), "still retried on day 29");
        var pending = await service.ReceiptAsync(receiptUrl);
        Assert.Equal("pending", (string?)pending["propagated"]);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(person.Email));

        service.Clock.Advance(TimeSpan.FromDays(1.5));
        var done = await Eventually.ReturnsAsync(
            () => service.ReceiptAsync(receiptUrl), json => (string?)json["propagated"] == "abandoned", TimeSpan.FromSeconds(30), "the notice is abandoned");
        var outcomes = done["processors"]!.AsArray().ToDictionary(outcome => (string)outcome!["processorId"]!, outcome => outcome!);
        Assert.Equal("abandoned", (string?)outcomes[goneId]["status"]);
        Assert.NotNull(outcomes[goneId]["abandonedAt"]);
        Assert.True((int)outcomes[goneId]["attempts"]! >= 2);
        Assert.Equal("acknowledged", (string?)outcomes[promptId]["status"]);

        // The notice's body (the person's address and id) is destroyed; nothing is retried any more.
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));
        var key = ((string)done["requestId"]!).Replace("eu-", "eu/", StringComparison.Ordinal);
        Assert.Equal(0, await service.Database.ScalarAsync<long>(
            "select count(*) from reminder where grain_id like '%/' || @key and reminder_name = 'propagate'", ("key", key)));
    }
}
