using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>Legal holds on a person or a cluster: look up, place (reason, reference, optional end) and lift, as <c>/v1/admin/legal-holds</c> does.</summary>
public sealed class LegalHoldsModel : PrivacyPageModel
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

    public string? Message { get; private set; }

    protected override bool RequiresOfficer => true;

    public void OnGet() => Region = Users.Home;

    public async Task<IActionResult> OnPostFindAsync()
    {
        if (Subject() is { } subject)
        {
            (Looked, Hold) = (true, await subject.GetLegalHoldAsync());
        }

        return Answer();
    }

    public async Task<IActionResult> OnPostPlaceAsync()
    {
        var subject = Subject();
        var check = Check();
        var reason = check.Text("reason", Reason ?? string.Empty, LegalHoldEndpoints.MaxTextLength);
        var reference = check.Text("reference", Reference ?? string.Empty, LegalHoldEndpoints.MaxTextLength);
        DateTimeOffset? end = string.IsNullOrWhiteSpace(EndsAt) ? null
            : IsoInstant.Parse(EndsAt.Trim()) is { } parsed && parsed > check.Now ? parsed : DateTimeOffset.MinValue;
        check.Require(end != DateTimeOffset.MinValue, "endsAt", "must be a future date and time (ISO 8601, with offset)");
        if (!Collect(check) || subject is null)
        {
            return Answer();
        }

        var hold = new LegalHold(reason, reference, Time.GetUtcNow(), end, Session!.UserId);
        if (await subject.PlaceLegalHoldAsync(hold))
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
            if (await subject.LiftLegalHoldAsync(Session!.UserId))
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
    private ILegalHoldSubject? Subject()
    {
        Kind = Kind == "cluster" ? "cluster" : "user";
        Region = Region is { } region && Users.IsRegion(region) ? region : Users.Home;
        var id = SubjectId?.Trim() ?? string.Empty;
        ILegalHoldSubject? subject = Kind == "user"
            ? SubjectIds.Parse(id) is { } parsed && Users.IsRegion(parsed.Region) ? Users.User(id) : null
            : Http.Identifiers.Uuid(id) is { } cluster ? Grains.GetGrain<IClusterGrain>(ClusterKeys.For(Region, cluster)) : null;
        if (subject is null)
        {
            Errors["subjectId"] = Kind == "user" ? "must be a user id (like eu-…)" : "must be a cluster id (a UUID)";
        }

        SubjectId = id;
        return subject;
    }

    private PageResult Answer()
    {
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }
}
