using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Transparency;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Users;

/// <summary>A correction's result: the profile and where an email change stands, or the erasure it started (under 13).</summary>
/// <param name="Profile">The profile after the correction.</param>
/// <param name="EmailChange"><c>unchanged</c>, <c>code-sent</c> or <c>changed</c>.</param>
/// <param name="Erasure">The account's erasure, when the corrected birth date is under 13.</param>
internal sealed record Corrected(UserProfile? Profile, string EmailChange, ErasureAccepted? Erasure);

/// <summary>A person's rights over their own data, for <c>/v1/me</c> and the Privacy Center alike: correction, consent, linking, erasure.</summary>
internal sealed class MeDesk(UserGrains users, UserKeys keys, TransparencyDesk transparency)
{
    /// <summary>The request header that carries a step-up code.</summary>
    public const string StepUpHeader = "X-Step-Up-Code";

    /// <summary>
    /// Applies a checked correction: an email code is checked first (a wrong one changes nothing at all), then name and
    /// birth date, then a new address alone gets a code. A birth date under 13 starts the account's erasure.
    /// </summary>
    public async Task<Outcome<Corrected>> CorrectAsync(string userId, CorrectionBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var user = users.User(userId);
        var emailChange = "unchanged";
        if (body.Email is { } email && body.EmailCode is { } code)
        {
            if (await user.ConfirmEmailChangeAsync(email, code) == EmailChangeOutcome.InvalidCode)
            {
                return new Outcome<Corrected>.Invalid("emailCode", "is wrong, expired or used up; ask for a new one by sending the email alone");
            }

            emailChange = "changed";
        }

        CorrectionResult? result = null;
        if (body.Name is not null || body.BirthDate is not null)
        {
            result = await user.CorrectAsync(new ProfileCorrection(body.Name, body.BirthDate is null ? null : RequestCheck.ParseDate(body.BirthDate)));
        }

        if (body.Email is { } newEmail && body.EmailCode is null)
        {
            await user.StartEmailChangeAsync(newEmail);
            emailChange = "code-sent";
        }

        if (result is { UnderThirteen: true })
        {
            // Policy: we do not keep the data of anyone under 13. The account's erasure starts now.
            return Outcome.Done(new Corrected(result.Profile, emailChange, await EraseAsync(userId, "under-13")));
        }

        var profile = result?.Profile ?? (await user.GetAsync())?.Profile;
        if (profile is null)
        {
            return new Outcome<Corrected>.Unknown("account");
        }

        await transparency.CountAnsweredAsync(userId, SubjectRequestKinds.Correction);
        return Outcome.Done(new Corrected(profile, emailChange, null));
    }

    /// <summary>Grants or withdraws consent for the purpose a wire name names; <c>service-provision</c> is the account itself.</summary>
    public async Task<Outcome<ConsentState>> SetConsentAsync(string userId, string purpose, bool granted)
    {
        if (WireNames.TryParse<DataPurpose>(purpose) is not { } parsed)
        {
            return new Outcome<ConsentState>.Unknown("purpose");
        }

        if (parsed == DataPurpose.ServiceProvision)
        {
            return new Outcome<ConsentState>.Invalid("purpose", "service-provision is the account itself; erase the account to end it");
        }

        if (await users.User(userId).SetConsentAsync(parsed, granted) is not { } consent)
        {
            return new Outcome<ConsentState>.Unknown("account");
        }

        if (!granted)
        {
            await transparency.CountAnsweredAsync(userId, SubjectRequestKinds.ConsentWithdrawal);
        }

        return Outcome.Done(consent);
    }

    /// <summary>Links a cluster the person runs (proof: its bootstrap id), in the region named or any region; unknown cluster and wrong proof read alike.</summary>
    public async Task<Outcome<LinkedCluster>> LinkClusterAsync(string userId, ClusterLinkBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var user = users.User(userId);
        foreach (var region in body.Region is { } named ? [named] : users.Regions)
        {
            if (await user.LinkClusterAsync(body.ClusterId, region, body.BootstrapId) is { } link)
            {
                return Outcome.Done(link);
            }
        }

        return new Outcome<LinkedCluster>.Unknown("cluster");
    }

    /// <summary>Sends a step-up code for <paramref name="action"/> to the account's address (nothing is sent beyond the address's message limit).</summary>
    public async Task<Outcome<StepUpSent>> RequestStepUpAsync(string userId, string action) =>
        await users.User(userId).StartStepUpAsync(action)
            ? Outcome.Done(new StepUpSent(action, StepUpHeader, "A code is on its way to your account's address. It works once, for this action only, for 10 minutes."))
            : new Outcome<StepUpSent>.Unknown("account");

    /// <summary>
    /// Erases the account on the person's own request, only with the step-up code sent for it (used up by this check):
    /// a token alone, or a wrong, expired or used code, changes nothing.
    /// </summary>
    public async Task<Outcome<ErasureAccepted>> EraseWithStepUpAsync(string userId, string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return new Outcome<ErasureAccepted>.StepUpRequired(
                StepUpActions.EraseAccount,
                $"Erasure cannot be undone: ask POST /v1/me/step-up with action {StepUpActions.EraseAccount} for a code, and send it in {StepUpHeader}.");
        }

        if (!OneTimeCode.IsWellFormed(code) || !await users.User(userId).ConfirmStepUpAsync(StepUpActions.EraseAccount, code))
        {
            return new Outcome<ErasureAccepted>.StepUpRequired(
                StepUpActions.EraseAccount, "The step-up code is wrong, expired or used up; nothing was erased. Ask for a new one.");
        }

        return Outcome.Done(await EraseAsync(userId, "person-request"));
    }

    /// <summary>Starts an erasure of the account: persisted before this returns; the answer carries the receipt's capability URL.</summary>
    public async Task<ErasureAccepted> EraseAsync(string userId, string reason)
    {
        var region = SubjectIds.Parse(userId)!.Value.Region;
        var requestId = SubjectIds.New(region);
        var (secret, hash) = Capabilities.New();
        var view = await users.Request(requestId).SubmitErasureAsync(new ErasureSubmission(keys.ForUser(userId), hash, reason));
        return ErasureAccepted.From(view, secret);
    }
}
