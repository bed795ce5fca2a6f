using Microsoft.AspNetCore.Mvc.RazorPages;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>What the officer console's forms share: officers only, the API's own body checks, and a 422 when a field is wrong.</summary>
public abstract class OfficerPageModel : PrivacyPageModel
{
    /// <summary>What was done, shown as a status message.</summary>
    public string? Message { get; protected set; }

    protected override bool RequiresOfficer => true;

    /// <summary>The officer acting (recorded by the grains as the route records the token's subject).</summary>
    internal string OfficerId => Session!.UserId;

    /// <summary>The page, answered 422 when a field is wrong (nothing was stored).</summary>
    protected PageResult Answer()
    {
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }

    /// <summary>The two-person rule's desk: what one officer may only propose.</summary>
    internal GovernanceDesk Governance => Desk<GovernanceDesk>();

    /// <summary>The page after proposing an action: where a second officer approves it, or why it could not be proposed (on <paramref name="field"/>).</summary>
    internal PageResult Proposed(Outcome<ProposalView> outcome, string field)
    {
        switch (outcome)
        {
            case Outcome<ProposalView>.Done(var proposal):
                Message = $"Proposed, not done: a different officer must approve proposal {proposal.ProposalId} on the Proposals page before {When(proposal.ExpiresAt)}.";
                return Page();
            case Outcome<ProposalView>.Conflict conflict:
                return Conflict(field, conflict.Detail);
            case Outcome<ProposalView>.Invalid invalid:
                Errors[invalid.Field] = invalid.Detail;
                return Answer();
            default:
                Errors[field] = "We hold nothing by this name.";
                return Answer();
        }
    }

    /// <summary>An instant typed in a form, or <c>null</c> (with an error on <paramref name="field"/> when it was not empty).</summary>
    protected DateTimeOffset? Instant(string field, string? text, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                Errors[field] = "is required (ISO 8601 with offset, e.g. 2027-01-31T00:00:00Z)";
            }

            return null;
        }

        var parsed = IsoInstant.Parse(text.Trim());
        if (parsed is null)
        {
            Errors[field] = "must be a date and time (ISO 8601, with offset)";
        }

        return parsed;
    }
}
