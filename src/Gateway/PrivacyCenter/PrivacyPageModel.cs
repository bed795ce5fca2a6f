using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>
/// What every Privacy Center page shares: the visitor's session (read once per request), the grains behind the API,
/// the API's own value rules for form fields, and errors kept per field so each is shown next to its input.
/// </summary>
public abstract class PrivacyPageModel : PageModel
{
    /// <summary>Errors by form field name, shown next to the field they concern.</summary>
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The signed-in visitor, if any.</summary>
    internal PrivacySession? Session { get; private set; }

    /// <summary>Whether someone is signed in (for the layout's navigation).</summary>
    public bool SignedIn => Session is not null;

    /// <summary>Whether the visitor is a privacy officer who gave the second factor this session.</summary>
    public bool Officer => Session is { IsOfficer: true, HasSecondFactor: true };

    internal UserGrains Users => Service<UserGrains>();

    internal IGrainFactory Grains => Service<IGrainFactory>();

    internal ClusterKeys ClusterKeys => Service<ClusterKeys>();

    internal PrivacySessions Sessions => Service<PrivacySessions>();

    internal TimeProvider Time => Service<TimeProvider>();

    /// <summary>The configured regions (for region choices).</summary>
    public IReadOnlyList<string> Regions => Users.Regions;

    /// <summary>Whether the page needs a signed-in person; without one it sends the visitor to sign in.</summary>
    protected virtual bool RequiresPerson => false;

    /// <summary>Whether the page is for privacy officers only.</summary>
    protected virtual bool RequiresOfficer => false;

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        Session = await Sessions.ReadAsync(HttpContext);
        if ((RequiresPerson || RequiresOfficer) && Session is null)
        {
            context.Result = Redirect(PrivacyPaths.SignIn);
            return;
        }

        if (RequiresOfficer && Session is { IsOfficer: true, HasSecondFactor: false })
        {
            // An officer signed in by the emailed code alone: told what is missing, shown nothing of the console.
            context.Result = new ViewResult { ViewName = "/PrivacyCenter/Pages/Shared/SecondFactorRequired.cshtml", StatusCode = StatusCodes.Status403Forbidden };
            return;
        }

        if (RequiresOfficer && !Officer)
        {
            // Answered like any page that does not exist: the console's existence is no business of a non-officer.
            context.Result = NotFoundPage();
            return;
        }

        await next();
    }

    /// <summary>The Privacy Center's not-found page (unknown, or not yours: the same answer).</summary>
    protected IActionResult NotFoundPage() => new ViewResult { ViewName = "/PrivacyCenter/Pages/Shared/NotFound.cshtml", StatusCode = StatusCodes.Status404NotFound };

    /// <summary>A value check with the API's own rules (<see cref="RequestCheck"/>); read its findings with <see cref="Collect"/>.</summary>
    internal RequestCheck Check() => new(Time.GetUtcNow(), Service<IOptions<RegionOptions>>().Value);

    /// <summary>Copies a check's findings into <see cref="Errors"/>; <c>true</c> if it found nothing wrong.</summary>
    internal bool Collect(RequestCheck check)
    {
        foreach (var (field, problems) in check.Shape.Concat(check.Values))
        {
            Errors[field] = string.Join(" ", problems);
        }

        return check.Shape.Count == 0 && check.Values.Count == 0;
    }

    /// <summary>Runs the route's own check on <paramref name="body"/>: the normalised body, or <c>null</c> with each problem next to its field.</summary>
    internal T? Checked<T>(T body)
        where T : class, IRequestBody
    {
        var check = Check();
        var normalised = (T)body.Check(check);
        return Collect(check) ? normalised : null;
    }

    /// <summary>The application layer's desk for a feature: pages write through it, as the routes do.</summary>
    internal T Desk<T>()
        where T : class => Service<T>();

    /// <summary>The page for a command the state it met refused (409, as the route answers), the reason next to its field.</summary>
    internal PageResult Conflict(string field, string detail)
    {
        Errors[field] = detail;
        Response.StatusCode = StatusCodes.Status409Conflict;
        return Page();
    }

    /// <summary>The error for <paramref name="field"/>, if any.</summary>
    public string? ErrorFor(string field) => Errors.GetValueOrDefault(field);

    /// <summary>An instant as people read it, in UTC.</summary>
    public static string When(DateTimeOffset? at) =>
        at is { } value ? value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "—";

    private T Service<T>()
        where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();
}
