using System.Collections.Immutable;
using System.Security.Cryptography;
using OtpNet;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// An officer's TOTP authenticator (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way) and recovery
/// codes. A TOTP code is refused for a step no later than the last one accepted (no replay), a recovery code works once,
/// and after <see cref="MaxFailures"/> wrong codes in a row every code is refused for <see cref="Lockout"/>.
/// </summary>
[RegionPlacement]
public sealed class OfficerFactorGrain(
    [PersistentState("officer-factor", StorageNames.Subjects)] IPersistentState<OfficerFactorState> state,
    PolicyClock time) : Grain, IOfficerFactorGrain
{
    /// <summary>Wrong codes in a row before the factor stops listening for a while.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long the factor refuses every code after <see cref="MaxFailures"/> wrong ones.</summary>
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    private const int SecretBytes = 20;

    private const string RecoveryAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private static readonly VerificationWindow s_drift = new(previous: 1, future: 1);

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
        }, DeactivateOnIdle);
    }

    public Task<FactorCheck> VerifyAsync(string code)
    {
        var normalised = FactorCodes.Normalise(code);
        return state.UpdateAsync(() => Decide(normalised, time.GetUtcNow()), DeactivateOnIdle);
    }

    public Task<bool> IsEnrolledAsync() => Task.FromResult(state.State.Secret is not null);

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

/// <summary>The stored state of an officer's second factor (sealed whole under the account's data key).</summary>
public sealed class OfficerFactorState
{
    /// <summary>The authenticator's shared secret (base32).</summary>
    [PersonalData]
    public string? Secret { get; set; }

    /// <summary>When the secret was issued.</summary>
    public DateTimeOffset? EnrolledAt { get; set; }

    /// <summary>When a code first confirmed it; from then on it is never shown or replaced.</summary>
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>The last TOTP time step accepted: no code of it or an earlier step is accepted again.</summary>
    public long LastStep { get; set; }

    /// <summary>Wrong codes in a row.</summary>
    public int Failures { get; set; }

    /// <summary>Until when every code is refused, after too many wrong ones.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The unused recovery codes, as salted hashes.</summary>
    public List<RecoveryCodeHash> RecoveryCodes { get; set; } = [];
}

/// <summary>A recovery code as stored: a salted SHA-256 of its normalised form, never the code.</summary>
/// <param name="Salt">The salt.</param>
/// <param name="Hash">The salted hash.</param>
public sealed record RecoveryCodeHash(string Salt, string Hash)
{
    /// <summary>The stored form of <paramref name="normalised"/>.</summary>
    public static RecoveryCodeHash Of(string normalised)
    {
        var salt = OneTimeCode.NewSalt();
        return new RecoveryCodeHash(salt, OneTimeCode.Hash(normalised, salt));
    }

    /// <summary>Whether <paramref name="normalised"/> is this code, in constant time.</summary>
    public bool Matches(string normalised) => OneTimeCode.Matches(normalised, Salt, Hash);
}
