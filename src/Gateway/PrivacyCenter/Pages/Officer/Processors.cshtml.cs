using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// The processors registry, as <c>/v1/admin/processors</c> keeps it: every processor and the audit, one processor's
/// details, and registering or updating one with its contract. The signing secret is write-only: never shown back.
/// </summary>
public sealed class ProcessorsModel : OfficerPageModel
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? Id { get; set; }

    [BindProperty(Name = "processorId")]
    public string? ProcessorId { get; set; }

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "purposes")]
    public List<string> Purposes { get; set; } = [];

    [BindProperty(Name = "categories")]
    public List<string> Categories { get; set; } = [];

    [BindProperty(Name = "regions")]
    public List<string> ProcessorRegions { get; set; } = [];

    [BindProperty(Name = "location")]
    public string? Location { get; set; }

    [BindProperty(Name = "contract.reference")]
    public string? ContractReference { get; set; }

    [BindProperty(Name = "contract.signedAt")]
    public string? SignedAt { get; set; }

    [BindProperty(Name = "contract.expiresAt")]
    public string? ExpiresAt { get; set; }

    [BindProperty(Name = "endpoint")]
    public string? Endpoint { get; set; }

    [BindProperty(Name = "erasureEndpoint")]
    public string? ErasureEndpoint { get; set; }

    /// <summary>Bound from the form, used once, never rendered.</summary>
    [BindProperty(Name = "secret")]
    public string? Secret { get; set; }

    public IReadOnlyList<ProcessorView> Processors { get; private set; } = [];

    public IReadOnlyList<Grains.Interfaces.Users.AuditEntry> Audit { get; private set; } = [];

    /// <summary>The mail relay configuration names, as the registry judges it.</summary>
    public MailRelayView? MailRelay { get; private set; }

    /// <summary>The processor asked for (<c>?id=</c>) or just stored.</summary>
    public ProcessorView? Shown { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Id is { } id)
        {
            Shown = SharingEndpoints.ProcessorId().IsMatch(id) ? await Registry.GetAsync(id) : null;
            if (Shown is null)
            {
                return await ListAsync(NotFoundPage());
            }

            Fill(Shown);
        }

        return await ListAsync(Page());
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var id = ProcessorId?.Trim() ?? string.Empty;
        if (!SharingEndpoints.ProcessorId().IsMatch(id))
        {
            Errors["processorId"] = "must be 1 to 64 lower-case letters, digits or hyphens";
        }

        var signed = Instant("contract.signedAt", SignedAt, required: true);
        var expires = Instant("contract.expiresAt", ExpiresAt, required: true);
        var body = Checked(new ProcessorBody(
            Name ?? string.Empty, WireNames.ParseAll<DataPurpose>(Purposes), WireNames.ParseAll<DataCategory>(Categories), [.. ProcessorRegions],
            Location?.Trim() ?? string.Empty, new ContractBody(ContractReference ?? string.Empty, signed ?? default, expires ?? default),
            Endpoint?.Trim() ?? string.Empty, ErasureEndpoint?.Trim() ?? string.Empty, string.IsNullOrEmpty(Secret) ? null : Secret));
        if (body is null || Errors.Count > 0)
        {
            return await ListAsync(Answer());
        }

        var outcome = await Desk<SharingDesk>().PutProcessorAsync(id, body, OfficerId);
        if (outcome is not Outcome<ProcessorView>.Done(var stored))
        {
            // The route's 422: a plain-http endpoint outside development, or a new processor without its secret.
            var invalid = (Outcome<ProcessorView>.Invalid)outcome;
            Errors[invalid.Field] = invalid.Detail;
            return await ListAsync(Answer());
        }

        (Shown, Id, Message) = (stored, stored.ProcessorId, $"Saved processor {stored.ProcessorId}.");
        Fill(stored);
        return await ListAsync(Page());
    }

    private IProcessorRegistryGrain Registry => SharingEndpoints.Registry(Grains, Users);

    private void Fill(ProcessorView view)
    {
        (ProcessorId, Name, Location, Endpoint, ErasureEndpoint) = (view.ProcessorId, view.Name, view.Location, view.Endpoint, view.ErasureEndpoint);
        (Purposes, Categories, ProcessorRegions) = ([.. view.Purposes.Select(WireNames.Of)], [.. view.Categories.Select(WireNames.Of)], [.. view.Regions]);
        (ContractReference, SignedAt, ExpiresAt) = (view.Contract.Reference, Iso(view.Contract.SignedAt), Iso(view.Contract.ExpiresAt));
        Secret = null;
    }

    private async Task<IActionResult> ListAsync(IActionResult result)
    {
        Processors = await Registry.ListAsync();
        MailRelay = await Registry.MailRelayAsync();
        Audit = [.. (await Registry.AuditAsync()).TakeLast(20).Reverse()];
        return result;
    }

    /// <summary>An instant as the form takes it back.</summary>
    public static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
