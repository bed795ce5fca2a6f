namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>The Privacy Center's addresses, in one place for pages, redirects and the layout's navigation.</summary>
internal static class PrivacyPaths
{
    public const string Home = "/privacy";
    public const string SignUp = "/privacy/sign-up";
    public const string SignIn = "/privacy/sign-in";
    public const string Verify = "/privacy/verify";
    public const string Factor = "/privacy/factor";
    public const string SignOut = "/privacy/sign-out";
    public const string Held = "/privacy/me";
    public const string Profile = "/privacy/me/profile";
    public const string Consents = "/privacy/me/consents";
    public const string Clusters = "/privacy/me/clusters";
    public const string Notices = "/privacy/me/notices";
    public const string Erase = "/privacy/me/erase";
    public const string Export = "/privacy/me/export";
    public const string Operator = "/privacy/operator";
    public const string Policy = "/privacy/policy";
    public const string Stats = "/stats";
    public const string Transparency = "/privacy/transparency";
    public const string Officer = "/privacy/officer";
    public const string Processors = "/privacy/officer/processors";
    public const string OpenDsrControllers = "/privacy/officer/opendsr-controllers";
    public const string Disclosures = "/privacy/officer/disclosures";
    public const string LegalRequests = "/privacy/officer/legal-requests";
    public const string Breaches = "/privacy/officer/breaches";
    public const string PolicyVersions = "/privacy/officer/policy-versions";
    public const string LegalHolds = "/privacy/officer/legal-holds";
    public const string ChildRemovals = "/privacy/officer/child-removals";
    public const string Ledger = "/privacy/officer/ledger";
    public const string KeyRotation = "/privacy/officer/key-rotation";
    public const string ThirdPartyRecords = "/privacy/officer/third-party-records";
    public const string DisclosureVerification = "/privacy/officer/disclosure-verification";
    public const string Proposals = "/privacy/officer/proposals";

    private const string ApiReceiptPrefix = "/v1/privacy-requests/";

    /// <summary>The receipt page at the same capability URL the API answered with (the secret lets its holder read it).</summary>
    public static string Receipt(Requests.ErasureAccepted accepted)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        return accepted.ReceiptUrl.StartsWith(ApiReceiptPrefix, StringComparison.Ordinal)
            ? "/privacy/requests/" + accepted.ReceiptUrl[ApiReceiptPrefix.Length..]
            : throw new InvalidOperationException("A receipt URL of an unknown shape.");
    }
}
