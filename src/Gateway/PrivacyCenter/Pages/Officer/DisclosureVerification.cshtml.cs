using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// A subject's disclosure chain checked, as <c>/v1/admin/disclosures/users/{userId}/verification</c> and
/// <c>/v1/admin/disclosures/clusters/{clusterId}/verification?region=</c> check it: every entry's hash and link, and the head.
/// </summary>
public sealed class DisclosureVerificationModel : OfficerPageModel
{
    [BindProperty(SupportsGet = true, Name = "kind")]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true, Name = "subjectId")]
    public string? SubjectId { get; set; }

    [BindProperty(SupportsGet = true, Name = "region")]
    public string? Region { get; set; }

    /// <summary>The check's result, once a subject was asked for.</summary>
    public ChainVerification? Verification { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Region = Region is { } region && Users.IsRegion(region) ? region : Users.Home;
        if (string.IsNullOrWhiteSpace(SubjectId))
        {
            return Page();
        }

        var id = SubjectId.Trim();
        var subjects = Desk<OfficerSubjects>();
        var subject = Kind == "cluster" ? subjects.Cluster(id, Region) : subjects.User(id);
        Verification = await SharingDesk.VerifyAsync(subject) is Outcome<ChainVerification>.Done(var verification) ? verification : null;
        if (Verification is null)
        {
            // The route's 404 for an unknown subject, next to the field.
            Errors["subjectId"] = "We hold no disclosure ledger for this subject.";
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }
}
