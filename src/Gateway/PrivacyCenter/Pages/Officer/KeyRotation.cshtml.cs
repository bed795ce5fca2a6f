using PrimeDirective.Gateway.Admin;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>The KEK rotation's progress, as <c>/v1/admin/keys/rotation</c> reads it.</summary>
public sealed class KeyRotationModel : PrivacyPageModel
{
    public KekRotationStatus Status { get; private set; } = null!;

    protected override bool RequiresOfficer => true;

    public async Task OnGetAsync() => Status = await Desk<KeyRotationDesk>().StatusAsync();
}
