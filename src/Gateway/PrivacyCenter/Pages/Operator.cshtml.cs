using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Gateway.Requests;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// A cluster operator's page: with the cluster id and bootstrap id (the proof, only ever in form posts, never in an
/// address), everything held, telemetry off (optionally purging), a new bootstrap id, and erasure with its receipt. Unknown clusters and
/// wrong proofs read alike.
/// </summary>
public sealed class OperatorModel : PrivacyPageModel
{
    [BindProperty]
    public string? ClusterId { get; set; }

    [BindProperty]
    public string? BootstrapId { get; set; }

    [BindProperty]
    public string? Region { get; set; }

    [BindProperty]
    public bool Disable { get; set; }

    [BindProperty]
    public bool Purge { get; set; }

    [BindProperty]
    public bool Confirm { get; set; }

    /// <summary>The bootstrap id the operator chose to replace the current one.</summary>
    [BindProperty]
    public string? NewBootstrapId { get; set; }

    public string Home => Users.Home;

    public ClusterRecord? Record { get; private set; }

    /// <summary>The cluster's items: a summary by category and the page asked for.</summary>
    public HeldItemsPage? Items { get; private set; }

    /// <summary>The proof and region, posted again by the items' navigation (never put into an address).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Proof =>
        [new("clusterId", ClusterId), new("bootstrapId", BootstrapId), new("region", Region)];

    public string? Message { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostShowAsync(
        [FromForm(Name = ItemsTableModel.CategoryField)] string? category, [FromForm(Name = ItemsTableModel.PageField)] int? page)
    {
        // Only a crafted post names a category or page that cannot exist: answered as a page that does not.
        return ModelState.IsValid && ItemsTableModel.TryParse(category, out var wanted) && page is null or >= 1
            ? await ShowAsync(wanted, page ?? 1)
            : NotFoundPage();
    }

    public async Task<IActionResult> OnPostTelemetryAsync()
    {
        if (Resolve() is not { } cluster)
        {
            return Unproven();
        }

        if (await Desk<ClusterDesk>().SetTelemetryAsync(cluster.GetPrimaryKeyString(), BootstrapId!, Disable, Disable && Purge) is not Outcome<TelemetrySetting>.Done)
        {
            return Unproven();
        }

        Message = Disable
            ? Purge ? "Telemetry is off, and the reports we held are destroyed." : "Telemetry is off: later reports are acknowledged and discarded."
            : "Telemetry is on again.";
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostRotateAsync()
    {
        if (Resolve() is not { } cluster)
        {
            return Unproven();
        }

        var check = Check();
        var fresh = check.Uuid("newBootstrapId", NewBootstrapId ?? string.Empty);
        if (!Collect(check))
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await ShowAsync();
        }

        if (await Desk<ClusterDesk>().RotateProofAsync(cluster.GetPrimaryKeyString(), BootstrapId!, fresh) is not Outcome<ProofRotated>.Done(var rotated))
        {
            return Unproven();
        }

        (BootstrapId, NewBootstrapId) = (fresh, null);
        Message = $"The new bootstrap id is set: set TELEMETRY_BOOTSTRAP_ID to it on your cluster. Reports with the old one are kept until {When(rotated.PreviousAcceptedUntil)}, then discarded.";
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostEraseAsync()
    {
        if (Resolve() is not { } cluster)
        {
            return Unproven();
        }

        if (!Confirm)
        {
            Errors["confirm"] = "Tick the box to confirm; nothing was erased.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await ShowAsync();
        }

        return await Desk<ClusterDesk>().RequestErasureAsync(cluster.GetPrimaryKeyString(), BootstrapId!) is Outcome<ErasureAccepted>.Done(var accepted)
            ? Redirect(PrivacyPaths.Receipt(accepted))
            : Unproven();
    }

    private async Task<IActionResult> ShowAsync(DataCategory? category = null, int page = 1)
    {
        if (Resolve() is not { } cluster || await cluster.GetAsync(BootstrapId!) is not { } record)
        {
            return Unproven();
        }

        var proof = BootstrapId!;
        Items = await HeldItemsPage.ReadAsync(record.Items, after => cluster.ReadReportsAsync(proof, after), category, page);
        Record = record;
        return Page();
    }

    /// <summary>The cluster's grain once the fields are well-formed (normalised in place); otherwise <c>null</c>, errors recorded.</summary>
    private IClusterGrain? Resolve()
    {
        var check = Check();
        ClusterId = check.Uuid("clusterId", ClusterId ?? string.Empty);
        BootstrapId = check.Uuid("bootstrapId", BootstrapId ?? string.Empty);
        Region = check.Region("region", string.IsNullOrEmpty(Region) ? Users.Home : Region);
        return Collect(check) ? Grains.GetGrain<IClusterGrain>(ClusterKeys.For(Region, ClusterId)) : null;
    }

    private PageResult Unproven()
    {
        if (Errors.Count == 0)
        {
            Errors["clusterId"] = "We hold nothing for this cluster id and bootstrap id (or the cluster reports to another region).";
        }

        (Record, BootstrapId) = (null, null);
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }
}
