using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.AccountErasure;

/// <summary>An account's erasure alone.</summary>
public sealed class AccountErasureTests
{
    private readonly SiloParts _silo = new();

    [Fact]
    public async Task A_running_legal_hold_defers_erasure_and_nothing_is_destroyed()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        await parts.Holds.PlaceAsync(new LegalHold("litigation", "case-7", _silo.Clock.GetUtcNow(), null, "officer-1"));

        var step = await parts.Erasure.EraseAsync("request-1");

        Assert.Equal(DateTimeOffset.MaxValue, step.HeldUntil);
        Assert.Null(step.Receipt);
        var stored = parts.State.Stored;
        Assert.NotNull(stored.UserId);
        Assert.Equal(["request-1"], stored.WaitingErasures);
        Assert.Empty(_silo.Transport.Destroyed);
    }

    [Fact]
    public async Task Erasure_leaves_no_row_only_the_proof_and_destroys_the_outboxs_copies()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        await _silo.Registry.AddAsync("eu", parts.Host.Key, "user");

        var step = await parts.Erasure.EraseAsync("request-2");

        Assert.Equal(3, step.Receipt!.ItemsByCategory[DataCategory.Account]);
        Assert.False(parts.State.RecordExists);
        Assert.Equal([parts.Host.Id], _silo.Transport.Destroyed);
        var proofs = await _silo.DestructionLedger.ReadAsync("eu", DateOnly.FromDateTime(_silo.Clock.GetUtcNow().UtcDateTime));
        Assert.All(proofs, proof => Assert.Equal(("account", "request"), (proof.SubjectKind, proof.Why)));
        Assert.Equal([DataCategory.Identifier, DataCategory.Account], proofs.Select(proof => proof.Category).Order());
        Assert.Equal(0, await _silo.Registry.CountAsync("eu", "user"));
        Assert.Equal(ErasureStep.Nothing, await parts.Erasure.EraseAsync("request-2"));
    }

    [Fact]
    public async Task Erasure_of_an_account_with_an_undelivered_notice_leaves_no_outbox_mark_and_no_message()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var other = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var email = Grains.Users.Messages.SignInCode("person@example.test", "12345678", TimeSpan.FromMinutes(15));
        foreach (var account in new[] { parts, other })
        {
            await account.Notices.NotifyAsync(email, "breach-9", (current, now) => (true, true));
            Assert.True(account.OutboxMarked);
        }

        await parts.Erasure.EraseAsync("request-3");

        Assert.False(parts.State.RecordExists);
        Assert.Equal([parts.Host.Id], _silo.Transport.Destroyed);
        Assert.False(parts.OutboxMarked);
        Assert.True(other.OutboxMarked);
        Assert.Single(other.State.Stored.Outgoing);
    }
}
