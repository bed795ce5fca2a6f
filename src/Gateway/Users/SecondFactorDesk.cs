using System.Collections.Immutable;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Users;

/// <summary>An officer's authenticator enrolment, shown once: the secret, the URI an authenticator app reads, the recovery codes.</summary>
internal sealed record FactorEnrolled(string Secret, string OtpauthUri, ImmutableArray<string> RecoveryCodes, string Message);

/// <summary>A second-factor code, for a token that carries the factor.</summary>
internal sealed record FactorBody(string Code) : Http.IRequestBody
{
    public Http.IRequestBody Check(Http.RequestCheck check)
    {
        var code = FactorCodes.Normalise(Code);
        check.Require(FactorCodes.IsTotp(code) || FactorCodes.IsRecovery(code), "code",
            $"must be the {FactorCodes.TotpDigits}-digit code of your authenticator or one of your recovery codes");
        return this with { Code = code };
    }
}

/// <summary>
/// Officers' second factor, for the routes and the Privacy Center alike: enrolment of a TOTP authenticator (and recovery
/// codes) after the emailed code, and the code that turns an email-code token into one that reaches officer routes.
/// </summary>
internal sealed class SecondFactorDesk(UserGrains users, IGrainFactory grains, TokenIssuer tokens)
{
    /// <summary>The issuer an authenticator app shows.</summary>
    public const string Issuer = "Prime Directive";

    /// <summary>What an enrolment answer says about itself.</summary>
    public const string EnrolmentMessage =
        "Add the secret to your authenticator app and keep the recovery codes somewhere safe: none of them is shown again. Give a code at POST /v1/sessions/factor to finish.";

    /// <summary>What <see cref="Outcome{T}.Unknown"/> means here: the caller is no officer, so has no second factor to give.</summary>
    public const string NotOfficer = "second factor";

    /// <summary>Whether <paramref name="userId"/> is an officer (only officers have a second factor).</summary>
    public bool IsOfficer(string userId) => tokens.IsOfficer(userId);

    /// <summary>Whether officer <paramref name="userId"/> has enrolled an authenticator.</summary>
    public Task<bool> IsEnrolledAsync(string userId) => Factor(userId).IsEnrolledAsync();

    /// <summary>A fresh authenticator for officer <paramref name="userId"/>, unless one was confirmed already (409).</summary>
    public async Task<Outcome<FactorEnrolled>> EnrolAsync(string userId)
    {
        if (!tokens.IsOfficer(userId))
        {
            return new Outcome<FactorEnrolled>.Unknown(NotOfficer);
        }

        return await Factor(userId).EnrolAsync() is { } enrolment
            ? Outcome.Done(new FactorEnrolled(enrolment.Secret, OtpauthUri(userId, enrolment.Secret), enrolment.RecoveryCodes, EnrolmentMessage))
            : new Outcome<FactorEnrolled>.Conflict("code", "An authenticator is enrolled already: give its code, or a recovery code.", "Already enrolled.");
    }

    /// <summary>
    /// A token for officer <paramref name="userId"/> that carries the second factor, if <paramref name="code"/> (checked)
    /// is a current authenticator code or an unused recovery code; 409 before enrolment, <see cref="Outcome{T}.Invalid"/> when refused.
    /// </summary>
    public async Task<Outcome<SessionToken>> VerifyAsync(string userId, string code)
    {
        if (!tokens.IsOfficer(userId))
        {
            return new Outcome<SessionToken>.Unknown(NotOfficer);
        }

        return await Factor(userId).VerifyAsync(code) switch
        {
            FactorCheck.Accepted or FactorCheck.AcceptedRecoveryCode => Outcome.Done(new SessionToken(userId, tokens.Mint(userId, secondFactor: true))),
            FactorCheck.NotEnrolled => new Outcome<SessionToken>.Conflict("code", "No authenticator is enrolled yet: enrol first.", "Not enrolled."),
            _ => new Outcome<SessionToken>.Invalid("code", "The code is wrong, already used, or too many wrong codes were given lately."),
        };
    }

    /// <summary>The key URI authenticator apps read (the de facto <c>otpauth://totp/</c> format): SHA-1, 6 digits, 30 seconds.</summary>
    public static string OtpauthUri(string userId, string secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(userId)}?secret={secret}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits={FactorCodes.TotpDigits}&period=30";

    private IOfficerFactorGrain Factor(string userId) => grains.GetGrain<IOfficerFactorGrain>(users.UserKey(userId));
}
