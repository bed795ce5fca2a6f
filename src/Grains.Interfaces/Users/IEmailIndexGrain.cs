using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>
/// One entry of the email lookup index, keyed <c>{region}/{hmac(normalised email)}</c> in the account's region:
/// which account an address belongs to, and the one-time codes sent to it. Never keyed by the address itself.
/// </summary>
[Alias("PrimeDirective.IEmailIndexGrain")]
public interface IEmailIndexGrain : IErasable
{
    /// <summary>Whether an account claims the address in this region.</summary>
    [Alias("IsClaimed")]
    Task<bool> IsClaimedAsync();

    /// <summary>
    /// Starts a sign-up: a one-time code goes to the address. If an account already claims it, nothing is created
    /// and the owner is told instead.
    /// </summary>
    [Alias("StartSignUp")]
    Task StartSignUpAsync(SignUpDetails details);

    /// <summary>Starts a sign-in: if an account claims the address, a one-time code goes to it; otherwise nothing happens.</summary>
    [Alias("StartSignIn")]
    Task StartSignInAsync([PersonalData] string email);

    /// <summary>Exchanges a one-time code for the account's id (creating a signed-up account now); <c>null</c> if the code does not hold.</summary>
    [Alias("Verify")]
    Task<string?> VerifyAsync(string code);

    /// <summary>Starts moving an account to this address: a code goes to it, or a notice to its owner if another account claims it.</summary>
    [Alias("StartEmailChange")]
    Task StartEmailChangeAsync([PersonalData] string email, [PersonalData] string userId);

    /// <summary>Claims the address for the account if the code sent for its email change holds.</summary>
    [Alias("ConfirmEmailChange")]
    Task<bool> ConfirmEmailChangeAsync([PersonalData] string userId, string code);

    /// <summary>
    /// A controller asked (OpenDSR) to erase, or to receive a copy of the data of, whoever holds this address
    /// (<paramref name="requestType"/> <c>erasure</c>, <c>access</c> or <c>portability</c>): if an account claims it, a one-time
    /// code goes to it, bound to that request (<paramref name="inboundKey"/>); otherwise nothing is written and nothing is sent.
    /// </summary>
    [Alias("StartOpenDsrConfirmation")]
    Task StartOpenDsrConfirmationAsync([PersonalData] string email, string inboundKey, string controllerName, string confirmUrl, string requestType = "erasure");

    /// <summary>The account's key if <paramref name="code"/> is the one sent for request <paramref name="inboundKey"/> (used up at once); otherwise <c>null</c>.</summary>
    [Alias("ConfirmOpenDsr")]
    Task<string?> ConfirmOpenDsrAsync(string code, string inboundKey);

    /// <summary>
    /// Sends a step-up code for <paramref name="action"/> (a <see cref="StepUpActions"/> name) to the address if the account
    /// <paramref name="userId"/> claims it; otherwise nothing is written and nothing is sent.
    /// </summary>
    [Alias("StartStepUp")]
    Task StartStepUpAsync([PersonalData] string email, [PersonalData] string userId, string action);

    /// <summary>Whether <paramref name="code"/> is the step-up code sent for <paramref name="action"/> to the account <paramref name="userId"/> (used up at once).</summary>
    [Alias("ConfirmStepUp")]
    Task<bool> ConfirmStepUpAsync([PersonalData] string userId, string action, string code);

    /// <summary>The account that claims the address, if any (for erasure and child removal; never for an HTTP answer).</summary>
    [Alias("Owner")]
    Task<string?> OwnerAsync();

    /// <summary>Forgets the address if the account with grain key <paramref name="userKey"/> claims it (or awaits it); returns the receipt.</summary>
    [Alias("Release")]
    Task<ErasureReceipt?> ReleaseAsync(string userKey, string requestId);
}

/// <summary>What a person gave at sign-up; kept only until the code expires or is used.</summary>
/// <param name="Email">The normalised address.</param>
/// <param name="Name">The name given.</param>
/// <param name="BirthDate">The birth date given (already checked: 13 or older).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.SignUpDetails")]
public sealed record SignUpDetails(
    [property: Id(0), PersonalData] string Email,
    [property: Id(1), PersonalData] string Name,
    [property: Id(2), PersonalData] DateOnly BirthDate);
