using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.OpenDsr;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>The OpenDSR controllers registry, as <c>/v1/admin/opendsr-controllers</c> keeps it: the list, and registering or updating one.</summary>
public sealed class OpenDsrControllersModel : OfficerPageModel
{
    [BindProperty(Name = "controllerId")]
    public string? ControllerId { get; set; }

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "domain")]
    public string? Domain { get; set; }

    [BindProperty(Name = "certificate")]
    public string? Certificate { get; set; }

    public IReadOnlyList<OpenDsrControllerView> Controllers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync() => await ListAsync(Page());

    public async Task<IActionResult> OnPostAsync()
    {
        var body = Checked(new OpenDsrControllerBody(Name ?? string.Empty, Domain ?? string.Empty, Certificate ?? string.Empty));
        if (body is null)
        {
            return await ListAsync(Answer());
        }

        switch (await Desk<OpenDsrProcessorDesk>().PutControllerAsync(ControllerId?.Trim() ?? string.Empty, body, OfficerId))
        {
            case Outcome<OpenDsrControllerView>.Done(var stored):
                Message = $"Saved controller {stored.ControllerId}.";
                return await ListAsync(Page());
            case Outcome<OpenDsrControllerView>.Conflict conflict:
                return await ListAsync(Conflict(conflict.Field, conflict.Detail));
            case Outcome<OpenDsrControllerView>.Invalid invalid:
                Errors[invalid.Field] = invalid.Detail;
                break;
        }

        return await ListAsync(Answer());
    }

    private async Task<IActionResult> ListAsync(IActionResult result)
    {
        Controllers = await Desk<OpenDsrProcessorDesk>().ControllersAsync();
        return result;
    }
}
