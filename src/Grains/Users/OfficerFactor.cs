using System.Collections.Immutable;
using System.Security.Cryptography;
using OtpNet;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// An officer's TOTP authenticator (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way) and recovery
/// codes. A TOTP code is refused for a step no later than the last one accepted (no replay), a recovery code works once,
/// and after <see cref="MaxFailures"/> wrong codes in a row every code is refused for <see cref="Lockout"/>. Time is the
/// wall clock an authenticator app reads (<see cref="TimeProvider"/>), not the policy's clock that tests move.
/// </summary>
public sealed class OfficerFactor(IPersistentState<OfficerFactorState> state, TimeProvider time, ISubjectHost host)
{
    /// <summary>Wrong codes in a row before the factor stops listening for a while.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long the factor refuses every code after <see cref="MaxFailures"/> wrong ones.</summary>
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    private const int SecretBytes = 20;

    private const string RecoveryAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private static readonly VerificationWindow s_drift = new(previous: 1, future: 1);

    /// <summary>A fresh secret and recovery codes, unless a code confirmed the factor already (<c>null</c>).</summary>
    public Task<FactorEnrolment?> EnrolAsync()
    {
        if (state.State.ConfirmedAt is not null)
        {
            return Task.FromResult<FactorEnrolment?>(null);
        }

        var secret = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=');
        var codes = Enumerable.Range(0, FactorCodes.RecoveryCount).Select(_ => RandomNumberGenerator.GetString(RecoveryAlphabet, FactorCodes.RecoveryLength)).ToImmutableArray();
        return state.UpdateAsync<OfficerFactorState, FactorEnrolment?>(() =>
        {
            if (state.State.ConfirmedAt is not null)
            {
                return (false, null);
            }

            state.State.Secret = secret;
            state.State.EnrolledAt = time.GetUtcNow();
            state.State.LastStep = 0;
            state.State.Failures = 0;
            state.State.LockedUntil = null;
            state.State.RecoveryCodes = [.. codes.Select(code => RecoveryCodeHash.Of(code))];
            return (true, new FactorEnrolment(secret, [.. codes.Select(Display)]));
        }, host.DeactivateOnIdle);
    }

    /// <summary>Checks <paramref name="code"/>, recording what it used up (a time step, a recovery code) or a failure.</summary>
    public Task<FactorCheck> VerifyAsync(string code)
    {
        var normalised = FactorCodes.Normalise(code);
        return state.UpdateAsync(() => Decide(normalised, time.GetUtcNow()), host.DeactivateOnIdle);
    }

    /// <summary>Whether a secret was issued.</summary>
    public bool IsEnrolled => state.State.Secret is not null;

    /// <summary>Deletes the factor's row, so nothing of it outlives the account's erasure, not even sealed.</summary>
    public async Task ForgetAsync()
    {
        if (state.RecordExists)
        {
            await state.DeleteAsync(() => true, host.DeactivateOnIdle);
        }

        host.DeactivateOnIdle();
    }

    private (bool Changed, FactorCheck Result) Decide(string code, DateTimeOffset now)
    {
        var current = state.State;
        if (current.Secret is not { } secret)
        {
            return (false, FactorCheck.NotEnrolled);
        }

        if (current.LockedUntil is { } until && until > now)
        {
            return (false, FactorCheck.Refused);
        }

        if (FactorCodes.IsTotp(code) &&
            new Totp(Base32Encoding.ToBytes(secret)).VerifyTotp(now.UtcDateTime, code, out var step, s_drift) && step > current.LastStep)
        {
            current.LastStep = step;
            return (true, Accept(current, now, FactorCheck.Accepted));
        }

        if (FactorCodes.IsRecovery(code) && current.RecoveryCodes.FindIndex(stored => stored.Matches(code)) is var index and >= 0)
        {
            current.RecoveryCodes.RemoveAt(index);
            return (true, Accept(current, now, FactorCheck.AcceptedRecoveryCode));
        }

        current.Failures++;
        if (current.Failures >= MaxFailures)
        {
            (current.Failures, current.LockedUntil) = (0, now + Lockout);
        }

        return (true, FactorCheck.Refused);
    }

    private static FactorCheck Accept(OfficerFactorState current, DateTimeOffset now, FactorCheck check)
    {
        current.ConfirmedAt ??= now;
        (current.Failures, current.LockedUntil) = (0, null);
        return check;
    }

    private static string Display(string code) => $"{code[..5]}-{code[5..]}";
}
