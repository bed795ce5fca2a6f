using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Linking a cluster the person runs (proof: its id and bootstrap id), so its data shows with theirs.</summary>
public sealed class ClustersModel : PrivacyPageModel
{
    [BindProperty]
    public string? ClusterId { get; set; }

    [BindProperty]
    public string? BootstrapId { get; set; }

    [BindProperty]
    public string? Region { get; set; }

    [BindProperty(SupportsGet = true, Name = "linked")]
    public bool Linked { get; set; }

    public IReadOnlyList<LinkedCluster> Clusters { get; private set; } = [];

    protected override bool RequiresPerson => true;

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var check = Check();
        var clusterId = check.Uuid("clusterId", ClusterId ?? string.Empty);
        var bootstrapId = check.Uuid("bootstrapId", BootstrapId ?? string.Empty);
        var region = string.IsNullOrEmpty(Region) ? null : check.Region("region", Region);
        Linked = false;
        if (Collect(check))
        {
            var user = Users.User(Session!.UserId);
            foreach (var candidate in region is null ? Users.Regions : [region])
            {
                if (await user.LinkClusterAsync(clusterId, candidate, bootstrapId) is not null)
                {
                    return Redirect(PrivacyPaths.Clusters + "?linked=true");
                }
            }

            // Unknown cluster and wrong proof read alike: nobody learns which clusters exist.
            Errors["clusterId"] = "We hold no cluster with this id and bootstrap id.";
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await ShowAsync();
    }

    private async Task<IActionResult> ShowAsync()
    {
        if (await Users.User(Session!.UserId).GetAsync() is not { } record)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        Clusters = record.Clusters;
        return Page();
    }
}
