using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

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
