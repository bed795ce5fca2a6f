using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// An officer's second factor after the emailed code: enrolment of an authenticator on first sign-in (its secret and
/// recovery codes shown once), then a code that makes the session one the officer console accepts. Not for other people.
/// </summary>
[EnableRateLimiting(SignUpEndpoints.RateLimitPolicy)]
public sealed class FactorModel : PrivacyPageModel
{
    [BindProperty]
    public string? Code { get; set; }

    /// <summary>A fresh enrolment, shown this once.</summary>
    internal FactorEnrolled? Enrolment { get; private set; }

    /// <summary>Whether the officer has an authenticator already.</summary>
    public bool Enrolled { get; private set; }

    protected override bool RequiresPerson => true;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Session!.IsOfficer)
        {
            return NotFoundPage();
        }

        Enrolled = await Desk<SecondFactorDesk>().IsEnrolledAsync(Session.UserId);
        return Page();
    }

    public async Task<IActionResult> OnPostEnrolAsync()
    {
        switch (await Desk<SecondFactorDesk>().EnrolAsync(Session!.UserId))
        {
            case Outcome<FactorEnrolled>.Done(var enrolment):
                Enrolment = enrolment;
                return Page();
            case Outcome<FactorEnrolled>.Conflict conflict:
                Enrolled = true;
                return Conflict("code", conflict.Detail);
            default:
                return NotFoundPage();
        }
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Session!.IsOfficer)
        {
            return NotFoundPage();
        }

        var body = Checked(new FactorBody(Code ?? string.Empty));
        if (body is null)
        {
            Enrolled = true;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        switch (await Desk<SecondFactorDesk>().VerifyAsync(Session.UserId, body.Code))
        {
            case Outcome<SessionToken>.Done:
                // A new session that carries the factor; the email-code session's token is ended, not left lying about.
                await Sessions.EndAsync(HttpContext, Session);
                Sessions.Start(HttpContext, Session.UserId, secondFactor: true);
                return Redirect(PrivacyPaths.Held);
            case Outcome<SessionToken>.Invalid invalid:
                Enrolled = true;
                Errors["code"] = invalid.Detail;
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Page();
            case Outcome<SessionToken>.Conflict:
                Response.StatusCode = StatusCodes.Status409Conflict;
                Errors["enrolment"] = "No authenticator is set up yet: set one up first.";
                return Page();
            default:
                return NotFoundPage();
        }
    }
}
