using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
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
        var body = Checked(new ClusterLinkBody(ClusterId ?? string.Empty, BootstrapId ?? string.Empty, string.IsNullOrEmpty(Region) ? null : Region));
        Linked = false;
        if (body is not null)
        {
            if (await Desk<MeDesk>().LinkClusterAsync(Session!.UserId, body) is Outcome<LinkedCluster>.Done)
            {
                return Redirect(PrivacyPaths.Clusters + "?linked=true");
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
