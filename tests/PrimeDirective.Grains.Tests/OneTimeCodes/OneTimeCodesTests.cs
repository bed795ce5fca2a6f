using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Tests.ComponentFakes;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.OneTimeCodes;

/// <summary>An email index entry's one-time codes alone.</summary>
public sealed class OneTimeCodesTests
{
    private readonly SiloParts _silo = new();
    private readonly AccountOptions _options = new();
    private readonly MemoryState<EmailIndexState> _state = new();
    private readonly FakeHost _host = FakeHost.Fresh("email");
    private readonly Users.OneTimeCodes _codes;

    public OneTimeCodesTests()
    {
        var outbox = new SubjectOutbox<EmailIndexState>(_state, _silo.Sender, _host);
        _codes = new(_state, outbox, Options.Create(_options), _silo.Time, _host, NullLogger.Instance);
    }

    private async Task<string?> IssueSignInAsync()
    {
        string? sent = null;
        await _codes.IssueAsync(PendingKind.SignIn, null, _ => "eu-0123456789abcdef", code =>
        {
            sent = code;
            return Messages.SignInCode("person@example.test", code, _options.CodeLifetime);
        });
        return _state.Stored.Pending is null ? null : sent;
    }

    [Fact]
    public async Task An_address_gets_at_most_its_share_of_messages_per_window_and_the_next_is_neither_stored_nor_sent()
    {
        for (var i = 0; i < _options.MaxMessagesPerWindow; i++)
        {
            await IssueSignInAsync();
        }

        var pending = _state.Stored.Pending;
        await IssueSignInAsync();

        var stored = _state.Stored;
        Assert.Equal(_options.MaxMessagesPerWindow, stored.MessagesSent.Count);
        Assert.Equal(pending, stored.Pending);
        Assert.Single(stored.Outgoing);
        Assert.Equal(1, _silo.Sender.PendingCount);
    }

    [Fact]
    public async Task A_step_up_code_lives_its_own_shorter_lifetime_and_keeps_the_action_it_was_issued_for()
    {
        string? sent = null;
        var issuedAt = _silo.Clock.GetUtcNow();
        await _codes.IssueAsync(PendingKind.StepUp, null, _ => "eu-0123456789abcdef", code =>
        {
            sent = code;
            return Messages.StepUpCode("person@example.test", code, _options.StepUpCodeLifetime);
        }, "erase-account", _options.StepUpCodeLifetime);

        Assert.Equal(TimeSpan.FromMinutes(10), _options.StepUpCodeLifetime);
        Assert.Equal(issuedAt + _options.StepUpCodeLifetime, _state.Stored.Pending!.ExpiresAt);
        Assert.Equal("erase-account", _state.Stored.Pending.Purpose);

        // Past its ten minutes (though well within a sign-in code's fifteen): it opens nothing, and is gone.
        _silo.Clock.Advance(_options.StepUpCodeLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(await _codes.CheckAsync(sent!, kind => kind == PendingKind.StepUp));
        Assert.Null(_state.Stored.Pending);
    }

    [Fact]
    public async Task Wrong_guesses_burn_the_code_at_the_limit_and_the_right_one_no_longer_works()
    {
        var code = await IssueSignInAsync();
        for (var i = 0; i < _options.MaxCodeAttempts; i++)
        {
            Assert.Null(await _codes.CheckAsync("00000000" == code ? "11111111" : "00000000", _ => true));
        }

        Assert.Null(_state.Stored.Pending);
        Assert.Null(await _codes.CheckAsync(code!, _ => true));
    }

    [Fact]
    public async Task A_code_another_activation_used_meanwhile_is_not_accepted_again()
    {
        var code = await IssueSignInAsync();
        // It used the code and issued a fresh one: that one stands, and the used code unlocks nothing.
        _state.ConflictOnNextWrite(theirs => theirs.Pending = theirs.Pending! with { CodeHash = "their-fresh-code", Attempts = 0 });

        Assert.Null(await _codes.CheckAsync(code!, _ => true));

        Assert.Equal(1, _state.Conflicts);
        Assert.Equal("their-fresh-code", _state.Stored.Pending?.CodeHash);
        Assert.Equal("their-fresh-code", _state.State.Pending?.CodeHash);
    }
}
