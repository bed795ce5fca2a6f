using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>A region's destruction ledger for one day, as <c>/v1/admin/destruction-ledger/{region}/{date}</c> reads it.</summary>
public sealed class LedgerModel : PrivacyPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Region { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Date { get; set; }

    public IReadOnlyList<DestructionEntry>? Entries { get; private set; }

    protected override bool RequiresOfficer => true;

    public async Task OnGetAsync()
    {
        Region = Region is { } region && Users.IsRegion(region) ? region : Users.Home;
        Date ??= DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (RequestCheck.ParseDate(Date) is null)
        {
            Errors["date"] = "must be a date (yyyy-MM-dd)";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return;
        }

        Entries = await Desk<LedgerDesk>().ReadAsync(Region, Date) is Outcome<ImmutableArray<DestructionEntry>>.Done(var entries) ? entries : null;
    }
}
