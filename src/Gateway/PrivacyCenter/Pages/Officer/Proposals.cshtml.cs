using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// The two-person rule, as <c>/v1/admin/proposals</c> handles it: every proposal with who proposed it and when, its
/// expiry, and for open ones approval (by a different officer: the action is carried out then) or withdrawal.
/// </summary>
public sealed class ProposalsModel : OfficerPageModel
{
    [BindProperty(Name = "proposalId")]
    public string? ProposalId { get; set; }

    /// <summary>Every proposal kept, open ones first.</summary>
    internal IReadOnlyList<ProposalView> Proposals { get; private set; } = [];

    /// <summary>Where the recipient of an approved disclosure fetches its package (shown this once).</summary>
    public string? PackageUrl { get; private set; }

    /// <summary>The signed-in officer (who cannot approve their own proposals).</summary>
    public string Me => OfficerId;

    public async Task<IActionResult> OnGetAsync()
    {
        Proposals = await Governance.ListAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostApproveAsync()
    {
        switch (await Governance.ApproveAsync(ProposalId ?? string.Empty, OfficerId))
        {
            case Outcome<Enacted>.Done(var enacted):
                PackageUrl = enacted.Value switch
                {
                    DisclosureMade made => made.PackageUrl,
                    LegalRequestView decided => decided.PackageUrl,
                    _ => null,
                };
                Message = $"Approved and done: {enacted.Audit}.";
                break;
            case Outcome<Enacted>.Conflict conflict:
                Errors["proposalId"] = conflict.Detail;
                Response.StatusCode = StatusCodes.Status409Conflict;
                break;
            case Outcome<Enacted>.BasisNotHeld refused:
                Errors["proposalId"] = SharingDesk.RefusalDetail(refused.Basis, refused.Condition);
                Response.StatusCode = StatusCodes.Status409Conflict;
                break;
            case Outcome<Enacted>.Invalid invalid:
                Errors["proposalId"] = $"Approved, but refused now: {invalid.Field} {invalid.Detail}";
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                break;
            default:
                Errors["proposalId"] = "No such proposal, or what it names is no longer held.";
                Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }

        Proposals = await Governance.ListAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostWithdrawAsync()
    {
        switch (await Governance.WithdrawAsync(ProposalId ?? string.Empty, OfficerId))
        {
            case Outcome<ProposalView>.Done:
                Message = "Withdrawn: it will never happen.";
                break;
            case Outcome<ProposalView>.Conflict conflict:
                Errors["proposalId"] = conflict.Detail;
                Response.StatusCode = StatusCodes.Status409Conflict;
                break;
            default:
                Errors["proposalId"] = "No such proposal.";
                Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }

        Proposals = await Governance.ListAsync();
        return Page();
    }

    /// <summary>The action's name as officers read it.</summary>
    public static string ActionName(GovernedAction action) => action switch
    {
        GovernedAction.Disclosure => "Disclosure",
        GovernedAction.LegalDisclosure => "Legal request: disclose",
        GovernedAction.Breach => "Breach declaration",
        GovernedAction.SubstantivePolicyVersion => "Substantive policy version",
        _ => "Legal hold lift",
    };
}
