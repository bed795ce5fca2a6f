namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>The public policy page: the version in force (what consents are recorded under) with its date at the top.</summary>
public sealed class PolicyModel : PrivacyPageModel
{
    /// <summary>The default of <c>Accounts:PolicyVersion</c>: the date on the policy.</summary>
    public const string DefaultVersion = "2016-09-22";

    public string Version { get; private set; } = DefaultVersion;

    public void OnGet() =>
        Version = HttpContext.RequestServices.GetRequiredService<IConfiguration>()["Accounts:PolicyVersion"] is { Length: > 0 } version ? version : DefaultVersion;
}
