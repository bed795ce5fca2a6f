using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.OpenDsr;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>A person confirms a controller's OpenDSR request with the code we emailed them: only then is their account erased.</summary>
[EnableRateLimiting(SignUpEndpoints.RateLimitPolicy)]
public sealed class OpenDsrConfirmModel : PrivacyPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Controller { get; set; } = string.Empty;

    [BindProperty(Name = "request", SupportsGet = true)]
    public string RequestId { get; set; } = string.Empty;

    [BindProperty]
    public string Email { get; set; } = string.Empty;

    [BindProperty]
    public string Code { get; set; } = string.Empty;

    /// <summary>For a request naming a cluster: its id, as its operator enters it.</summary>
    [BindProperty]
    public string ClusterId { get; set; } = string.Empty;

    /// <summary>For a request naming a cluster: the bootstrap id only its operator knows (the proof; never shown back).</summary>
    [BindProperty]
    public string BootstrapId { get; set; } = string.Empty;

    /// <summary>Whether the request names a cluster: its operator confirms with the bootstrap proof, not an emailed code.</summary>
    public bool NamesCluster { get; private set; }

    /// <summary>Set once a new code was asked for.</summary>
    public bool CodeResent { get; private set; }

    /// <summary>The erasure's receipt, once confirmed.</summary>
    public string? ReceiptUrl { get; private set; }

    /// <summary>Set once an access or portability request was confirmed: the controller may now fetch the person's data.</summary>
    public bool Released { get; private set; }

    /// <summary>The request's type, when the link names one we were sent: the page says what confirming does.</summary>
    public string? RequestType { get; private set; }

    /// <summary>Whether confirming releases a copy of the person's data rather than erasing them.</summary>
    public bool ReleasesData => RequestType is "access" or "portability";

    public async Task OnGetAsync()
    {
        var kind = await Desk<OpenDsrProcessorDesk>().RequestKindAsync(Controller ?? string.Empty, RequestId ?? string.Empty);
        (RequestType, NamesCluster) = (kind?.Type, kind?.NamesCluster == true);
    }

    public async Task<IActionResult> OnPostResendAsync()
    {
        await OnGetAsync();
        if (await Desk<OpenDsrProcessorDesk>().ResendCodeAsync(Controller ?? string.Empty, RequestId ?? string.Empty, Email ?? string.Empty) is Outcome<bool>.Invalid invalid)
        {
            Errors["email"] = $"The email {invalid.Detail}.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        CodeResent = true;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await OnGetAsync();
        var outcome = NamesCluster
            ? await Desk<OpenDsrProcessorDesk>().ConfirmClusterAsync(Controller ?? string.Empty, RequestId ?? string.Empty, ClusterId ?? string.Empty, BootstrapId ?? string.Empty)
            : await Desk<OpenDsrProcessorDesk>().ConfirmAsync(Controller ?? string.Empty, RequestId ?? string.Empty, Email ?? string.Empty, (Code ?? string.Empty).Trim());
        (Code, BootstrapId) = (string.Empty, string.Empty);
        switch (outcome)
        {
            case Outcome<OpenDsrConfirmation>.Done({ ErasureRequestId: { } requestId, Capability: { } capability }):
                ReceiptUrl = $"/privacy/requests/{requestId}?capability={capability}";
                return Page();
            case Outcome<OpenDsrConfirmation>.Done({ RequestType: "access" or "portability" }):
                Released = true;
                return Page();
            case Outcome<OpenDsrConfirmation>.Conflict conflict:
                return Conflict(conflict.Field, conflict.Detail);
            case Outcome<OpenDsrConfirmation>.Invalid invalid:
                Errors[invalid.Field is "email" or "proof" ? invalid.Field : "code"] = invalid.Field switch
                {
                    "email" or "code" => $"The {invalid.Field} {invalid.Detail}.",
                    "proof" => $"The bootstrap id {invalid.Detail}.",
                    _ => "This link does not name a request we were sent.",
                };
                break;
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
