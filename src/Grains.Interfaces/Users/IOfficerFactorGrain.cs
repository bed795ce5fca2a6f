using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>
/// An officer's second factor: a TOTP authenticator and ten recovery codes, keyed as the officer's account is (so its
/// state is sealed, and crypto-shredded, under the account's data key). The secret never leaves the grain again after
/// enrolment; recovery codes are kept only as salted hashes.
/// </summary>
[Alias("PrimeDirective.IOfficerFactorGrain")]
public interface IOfficerFactorGrain : IGrainWithStringKey
{
    /// <summary>
    /// Enrols a fresh authenticator secret and recovery codes, shown this once; replaces an enrolment no code has confirmed
    /// yet. <c>null</c> when a confirmed factor exists already (it is never shown again).
    /// </summary>
    [Alias("Enrol")]
    Task<FactorEnrolment?> EnrolAsync();

    /// <summary>Checks a TOTP code (not one of a step already used) or an unused recovery code (used up by this check).</summary>
    [Alias("Verify")]
    Task<FactorCheck> VerifyAsync(string code);

    /// <summary>Whether a factor is enrolled (confirmed by a code or not).</summary>
    [Alias("IsEnrolled")]
    [Orleans.Concurrency.ReadOnly]
    Task<bool> IsEnrolledAsync();

    /// <summary>Destroys the factor (its secret and recovery-code hashes): the account it belongs to is being erased.</summary>
    [Alias("Forget")]
    Task ForgetAsync();
}

/// <summary>A fresh enrolment: the authenticator's secret (base32) and the recovery codes, in clear only in this answer.</summary>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.FactorEnrolment")]
public sealed record FactorEnrolment(
    [property: Id(0), PersonalData] string Secret,
    [property: Id(1), PersonalData] ImmutableArray<string> RecoveryCodes);

/// <summary>What a second-factor code came to.</summary>
[GenerateSerializer]
[Alias("PrimeDirective.FactorCheck")]
public enum FactorCheck
{
    /// <summary>No factor is enrolled: enrol first.</summary>
    NotEnrolled = 0,

    /// <summary>Wrong, of a time step already used, an already used recovery code, or too many wrong codes lately.</summary>
    Refused = 1,

    /// <summary>A current TOTP code, not used before.</summary>
    Accepted = 2,

    /// <summary>A recovery code, now used up.</summary>
    AcceptedRecoveryCode = 3,
}

/// <summary>The shapes of second-factor codes, so malformed input is refused before any lookup.</summary>
public static class FactorCodes
{
    /// <summary>Digits of a TOTP code.</summary>
    public const int TotpDigits = 6;

    /// <summary>Characters of a recovery code, without its separator.</summary>
    public const int RecoveryLength = 10;

    /// <summary>How many recovery codes an enrolment gives.</summary>
    public const int RecoveryCount = 10;

    /// <summary>A code as typed, trimmed, lower case, without spaces or hyphens.</summary>
    public static string Normalise(string? code) =>
        new([.. (code ?? string.Empty).Where(character => character is not (' ' or '-')).Select(char.ToLowerInvariant)]);

    /// <summary>Whether <paramref name="normalised"/> has the shape of a TOTP code.</summary>
    public static bool IsTotp(string normalised) => normalised.Length == TotpDigits && normalised.All(char.IsAsciiDigit);

    /// <summary>Whether <paramref name="normalised"/> has the shape of a recovery code (base32, lower case).</summary>
    public static bool IsRecovery(string normalised) =>
        normalised.Length == RecoveryLength && normalised.All(character => character is (>= 'a' and <= 'z') or (>= '2' and <= '7'));
}
