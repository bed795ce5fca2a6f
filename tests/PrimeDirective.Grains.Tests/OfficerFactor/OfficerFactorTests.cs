using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OtpNet;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.ComponentFakes;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.OfficerFactor;

/// <summary>An officer's second factor alone: TOTP codes computed as an authenticator app does (Otp.NET), on a fake clock.</summary>
public sealed class OfficerFactorTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 3, 1, 9, 0, 10, TimeSpan.Zero));
    private readonly MemoryState<OfficerFactorState> _state = new();
    private readonly Users.OfficerFactor _factor;

    public OfficerFactorTests() => _factor = new(_state, _clock, FakeHost.Fresh("officer-factor"));

    private static string CodeAt(FactorEnrolment enrolment, DateTimeOffset at) => new Totp(Base32Encoding.ToBytes(enrolment.Secret)).ComputeTotp(at.UtcDateTime);

    private string CurrentCode(FactorEnrolment enrolment) => CodeAt(enrolment, _clock.GetUtcNow());

    [Fact]
    public async Task Before_enrolment_every_code_is_not_enrolled_and_nothing_is_stored()
    {
        Assert.Equal(FactorCheck.NotEnrolled, await _factor.VerifyAsync("123456"));
        Assert.False(_factor.IsEnrolled);
        Assert.Equal(0, _state.Writes);
    }

    [Fact]
    public async Task Enrolment_gives_a_secret_and_ten_recovery_codes_and_stores_the_codes_only_as_salted_hashes()
    {
        var enrolment = (await _factor.EnrolAsync())!;

        Assert.Equal(32, enrolment.Secret.Length);
        Assert.Equal(FactorCodes.RecoveryCount, enrolment.RecoveryCodes.Length);
        Assert.Equal(FactorCodes.RecoveryCount, enrolment.RecoveryCodes.Distinct().Count());
        var stored = _state.Stored;
        var json = JsonSerializer.Serialize(stored);
        Assert.All(enrolment.RecoveryCodes, code =>
        {
            Assert.DoesNotContain(code, json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(FactorCodes.Normalise(code), json, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Equal(FactorCodes.RecoveryCount, stored.RecoveryCodes.Count);
        Assert.Equal(FactorCodes.RecoveryCount, stored.RecoveryCodes.Select(code => code.Salt).Distinct().Count());
        Assert.Equal(enrolment.Secret, stored.Secret);
        Assert.Null(stored.ConfirmedAt);
    }

    [Fact]
    public async Task A_current_code_works_once_and_is_refused_again_within_its_step_and_an_older_step_is_refused_after_a_newer_one()
    {
        var enrolment = (await _factor.EnrolAsync())!;
        var code = CurrentCode(enrolment);

        Assert.Equal(FactorCheck.Accepted, await _factor.VerifyAsync(code));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(code));
        Assert.NotNull(_state.Stored.ConfirmedAt);

        // One step of drift is allowed: the next step's code works now, and after it the current step's never again.
        var next = CodeAt(enrolment, _clock.GetUtcNow().AddSeconds(30));
        var earlier = CodeAt(enrolment, _clock.GetUtcNow().AddSeconds(-30));
        Assert.Equal(FactorCheck.Accepted, await _factor.VerifyAsync(next));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(earlier));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(code));

        // Two steps later a fresh code works again.
        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(FactorCheck.Accepted, await _factor.VerifyAsync(CurrentCode(enrolment)));
    }

    [Fact]
    public async Task A_code_too_old_or_too_new_and_a_wrong_code_are_refused()
    {
        var enrolment = (await _factor.EnrolAsync())!;

        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(CodeAt(enrolment, _clock.GetUtcNow().AddSeconds(-90))));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(CodeAt(enrolment, _clock.GetUtcNow().AddSeconds(90))));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(Wrong(CurrentCode(enrolment))));
        Assert.Null(_state.Stored.ConfirmedAt);
        Assert.Equal(3, _state.Stored.Failures);
    }

    [Fact]
    public async Task A_recovery_code_works_exactly_once_in_any_spelling_and_the_others_still_work()
    {
        var enrolment = (await _factor.EnrolAsync())!;
        var first = enrolment.RecoveryCodes[0];

        Assert.Equal(FactorCheck.AcceptedRecoveryCode, await _factor.VerifyAsync(first.ToUpperInvariant()));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(first));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(FactorCodes.Normalise(first)));
        Assert.Equal(FactorCodes.RecoveryCount - 1, _state.Stored.RecoveryCodes.Count);
        Assert.Equal(FactorCheck.AcceptedRecoveryCode, await _factor.VerifyAsync(enrolment.RecoveryCodes[1]));
        Assert.Equal(FactorCodes.RecoveryCount - 2, _state.Stored.RecoveryCodes.Count);
    }

    [Fact]
    public async Task Too_many_wrong_codes_refuse_even_the_right_one_until_the_lockout_passes()
    {
        var enrolment = (await _factor.EnrolAsync())!;
        for (var i = 0; i < Users.OfficerFactor.MaxFailures; i++)
        {
            Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(Wrong(CurrentCode(enrolment))));
        }

        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(CurrentCode(enrolment)));
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(enrolment.RecoveryCodes[0]));
        Assert.Equal(FactorCodes.RecoveryCount, _state.Stored.RecoveryCodes.Count);

        _clock.Advance(Users.OfficerFactor.Lockout);
        Assert.Equal(FactorCheck.Accepted, await _factor.VerifyAsync(CurrentCode(enrolment)));
    }

    [Fact]
    public async Task A_confirmed_factor_is_never_shown_or_replaced_but_an_unconfirmed_one_is_replaced()
    {
        var abandoned = (await _factor.EnrolAsync())!;
        var enrolment = (await _factor.EnrolAsync())!;
        Assert.NotEqual(abandoned.Secret, enrolment.Secret);
        Assert.Equal(FactorCheck.Refused, await _factor.VerifyAsync(abandoned.RecoveryCodes[0]));

        Assert.Equal(FactorCheck.Accepted, await _factor.VerifyAsync(CurrentCode(enrolment)));
        var writes = _state.Writes;
        Assert.Null(await _factor.EnrolAsync());
        Assert.Equal(writes, _state.Writes);
        Assert.Equal(enrolment.Secret, _state.Stored.Secret);
    }

    private static string Wrong(string code) => code[..^1] + (char)('0' + ((code[^1] - '0' + 1) % 10));
}
