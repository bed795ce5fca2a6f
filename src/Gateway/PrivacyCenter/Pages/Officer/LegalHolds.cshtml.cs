using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>Legal holds on a person or a cluster: look up, place (reason, reference, optional end) and lift, as <c>/v1/admin/legal-holds</c> does.</summary>
public sealed class LegalHoldsModel : OfficerPageModel
{
    [BindProperty]
    public string Kind { get; set; } = "user";

    [BindProperty]
    public string? SubjectId { get; set; }

    [BindProperty]
    public string? Region { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [BindProperty]
    public string? Reference { get; set; }

    [BindProperty]
    public string? EndsAt { get; set; }

    public bool Looked { get; private set; }

    public LegalHold? Hold { get; private set; }

    public void OnGet() => Region = Users.Home;

    public async Task<IActionResult> OnPostFindAsync()
    {
        if (Subject() is { } subject && await LegalHoldDesk.FindAsync(subject) is Outcome<LegalHold?>.Done(var hold))
        {
            (Looked, Hold) = (true, hold);
        }

        return Answer();
    }

    public async Task<IActionResult> OnPostPlaceAsync()
    {
        var subject = Subject();
        var body = Checked(new LegalHoldBody(Reason ?? string.Empty, Reference ?? string.Empty, string.IsNullOrWhiteSpace(EndsAt) ? null : EndsAt.Trim()));
        if (body is null || subject is null)
        {
            return Answer();
        }

        if (await Desk<LegalHoldDesk>().PlaceAsync(subject, body, OfficerId) is Outcome<LegalHold>.Done(var hold))
        {
            (Looked, Hold, Message, Reason, Reference, EndsAt) = (true, hold, "The hold is placed.", null, null, null);
        }
        else
        {
            Errors["subjectId"] = "We hold nothing about this subject.";
        }

        return Answer();
    }

    public async Task<IActionResult> OnPostLiftAsync()
    {
        if (Subject() is { } subject)
        {
            if (Governance.Governs(GovernedAction.LegalHoldLift))
            {
                return Proposed(await Governance.ProposeLiftAsync(subject, SubjectId!, Kind == "cluster" ? subject.Region : null, OfficerId), "subjectId");
            }

            if (await LegalHoldDesk.LiftAsync(subject, OfficerId) is Outcome<bool>.Done)
            {
                (Looked, Hold, Message) = (true, null, "The hold is lifted: expiry and waiting erasures resume now.");
            }
            else
            {
                Errors["subjectId"] = "No hold is in force on this subject.";
            }
        }

        return Answer();
    }

    /// <summary>The subject the form names, as the API resolves it; <c>null</c> (with an error) if it names none.</summary>
    private NamedSubject? Subject()
    {
        Kind = Kind == "cluster" ? "cluster" : "user";
        Region = Region is { } region && Users.IsRegion(region) ? region : Users.Home;
        SubjectId = SubjectId?.Trim() ?? string.Empty;
        var subjects = Desk<OfficerSubjects>();
        var subject = Kind == "user" ? subjects.User(SubjectId) : subjects.Cluster(SubjectId, Region);
        if (subject is null)
        {
            Errors["subjectId"] = Kind == "user" ? "must be a user id (like eu-…)" : "must be a cluster id (a UUID)";
        }

        return subject;
    }
}
