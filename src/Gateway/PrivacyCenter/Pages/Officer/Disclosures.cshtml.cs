using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// An officer's disclosure order, decided by the same decision point as <c>POST /v1/admin/disclosures</c>: disclosed
/// (the ledger entry, and a capability URL shown once) or refused, the basis that does not hold shown beside the form.
/// </summary>
public sealed class DisclosuresModel : OfficerPageModel
{
    /// <summary>Who may be protected by a harm-prevention disclosure (the policy's list).</summary>
    public static readonly IReadOnlyList<string> ProtectedParties = ["the-person", "other-users", "prime-directive", "the-public"];

    [BindProperty(Name = "kind")]
    public string Kind { get; set; } = "user";

    [BindProperty(Name = "subjectId")]
    public string? SubjectId { get; set; }

    [BindProperty(Name = "region")]
    public string? Region { get; set; }

    [BindProperty(Name = "recipient")]
    public string? Recipient { get; set; }

    [BindProperty(Name = "basis")]
    public string? Basis { get; set; }

    [BindProperty(Name = "categories")]
    public List<string> Categories { get; set; } = [];

    [BindProperty(Name = "purpose")]
    public string? Purpose { get; set; }

    [BindProperty(Name = "rationale")]
    public string? Rationale { get; set; }

    [BindProperty(Name = "protects")]
    public string? Protects { get; set; }

    [BindProperty(Name = "change.kind")]
    public string? ChangeKind { get; set; }

    [BindProperty(Name = "change.successor")]
    public string? ChangeSuccessor { get; set; }

    [BindProperty(Name = "change.reference")]
    public string? ChangeReference { get; set; }

    /// <summary>The refusal: which basis did not hold and why (nothing was sent or recorded).</summary>
    public string? Refusal { get; private set; }

    /// <summary>The ledger entry written.</summary>
    public DisclosureEntry? Made { get; private set; }

    /// <summary>Where the recipient fetches the package (shown this once).</summary>
    public string? PackageUrl { get; private set; }

    public DateTimeOffset? PackageExpiresAt { get; private set; }

    public void OnGet() => Region = Users.Home;

    public async Task<IActionResult> OnPostAsync()
    {
        Kind = Kind == "cluster" ? "cluster" : "user";
        Region = Region is { } region && Users.IsRegion(region) ? region : Users.Home;
        var basis = WireNames.TryParse<DisclosureBasis>(Basis);
        var purpose = string.IsNullOrEmpty(Purpose) ? null : WireNames.TryParse<DataPurpose>(Purpose);
        if (basis is null)
        {
            Errors["basis"] = "must be one of consent, processor, legal, harm-prevention, successor";
        }

        if (!string.IsNullOrEmpty(Purpose) && purpose is null)
        {
            Errors["purpose"] = "must be a known purpose";
        }

        var id = SubjectId?.Trim();
        var change = string.IsNullOrWhiteSpace(ChangeKind) && string.IsNullOrWhiteSpace(ChangeSuccessor) && string.IsNullOrWhiteSpace(ChangeReference)
            ? null
            : new ChangeBody(ChangeKind ?? string.Empty, ChangeSuccessor ?? string.Empty, ChangeReference ?? string.Empty);
        var body = Checked(new DisclosureBody(
            Kind == "user" ? new SubjectBody(UserId: id) : new SubjectBody(ClusterId: id, Region: Region),
            Recipient ?? string.Empty, basis ?? default, WireNames.ParseAll<DataCategory>(Categories), Rationale ?? string.Empty,
            purpose, string.IsNullOrEmpty(Protects) ? null : Protects, change));
        if (body is null || Errors.Count > 0)
        {
            return Answer();
        }

        if (Governance.Governs(body))
        {
            return Proposed(await Governance.ProposeAsync(body, OfficerId), "subjectId");
        }

        switch (await Desk<SharingDesk>().DiscloseAsync(body, OfficerId))
        {
            case Outcome<DisclosureMade>.BasisNotHeld refused:
                Refusal = SharingDesk.RefusalDetail(refused.Basis, refused.Condition);
                return Conflict("basis", Refusal);
            case Outcome<DisclosureMade>.Done(var made):
                (Made, PackageUrl, PackageExpiresAt) = (made.Disclosure, made.PackageUrl, made.PackageUrl is null ? null : made.PackageExpiresAt);
                Message = $"Disclosed to {made.Disclosure.Recipient}: the entry is in the subject's ledger.";
                return Page();
            default:
                Errors["subjectId"] = "We hold nothing about this subject.";
                return Answer();
        }
    }
}
