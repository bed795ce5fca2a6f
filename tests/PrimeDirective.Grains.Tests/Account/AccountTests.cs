using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.Account;

/// <summary>The account itself alone.</summary>
public sealed class AccountTests
{
    private readonly SiloParts _silo = new();

    [Fact]
    public async Task An_account_another_activation_created_first_is_not_created_again()
    {
        var userId = SubjectIds.New("eu");
        var parts = new UserParts(_silo, userId: userId);
        var account = new NewAccount(userId, "person@example.test", "A Person", new DateOnly(1990, 5, 17));
        parts.State.ConflictOnNextWrite(theirs =>
        {
            (theirs.UserId, theirs.Email, theirs.Name, theirs.BirthDate, theirs.CreatedAt) = (userId, "person@example.test", "A Person", new DateOnly(1990, 5, 17), _silo.Clock.GetUtcNow());
            theirs.Audit.Add(new AuditEntry(_silo.Clock.GetUtcNow(), "account-created", "theirs"));
        });

        await parts.Account.CreateAsync(account);

        var stored = parts.State.Stored;
        Assert.Equal(userId, stored.UserId);
        Assert.Equal("theirs", Assert.Single(stored.Audit, entry => entry.Action == "account-created").Reason);
        Assert.Equal("theirs", Assert.Single(parts.State.State.Audit).Reason);
        Assert.Equal(userId, parts.Account.Get()!.UserId);
        Assert.Equal(1, await _silo.Registry.CountAsync("eu", "user"));
    }

    [Fact]
    public async Task A_user_id_of_another_account_is_refused_and_nothing_is_stored_or_listed()
    {
        var parts = new UserParts(_silo, userId: SubjectIds.New("eu"));
        var stranger = new NewAccount(SubjectIds.New("eu"), "other@example.test", "Somebody Else", new DateOnly(1980, 1, 1));

        await Assert.ThrowsAsync<ArgumentException>(() => parts.Account.CreateAsync(stranger));

        Assert.False(parts.State.RecordExists);
        Assert.Equal(0, await _silo.Registry.CountAsync("eu", "user"));
        Assert.Null(parts.Account.Get());
    }
}
