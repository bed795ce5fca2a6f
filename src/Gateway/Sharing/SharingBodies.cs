using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>A processor's contract as officers send it.</summary>
/// <param name="Reference">The contract's reference.</param>
/// <param name="SignedAt">When it was signed.</param>
/// <param name="ExpiresAt">When it ends.</param>
internal sealed record ContractBody(string Reference, DateTimeOffset SignedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// A processor as officers register it: a new processor needs a secret (HMAC, never answered back) or an OpenDSR
/// certificate (PEM, CA-issued for its OpenDSR domain), or both.
/// </summary>
internal sealed record ProcessorBody(
    string Name,
    ImmutableArray<DataPurpose> Purposes,
    ImmutableArray<DataCategory> Categories,
    ImmutableArray<string> Regions,
    string Location,
    ContractBody Contract,
    string Endpoint,
    string ErasureEndpoint,
    string? Secret = null,
    string? OpenDsrDomain = null,
    string? Certificate = null) : IRequestBody
{
    public const int MaxCertificateLength = 16 * 1024;

    public const int MinSecretLength = 32;

    public const int MaxSecretLength = 256;

    public const int MaxUrlLength = 2000;

    public IRequestBody Check(RequestCheck check)
    {
        check.Require(!Purposes.IsDefaultOrEmpty && Purposes.Distinct().Count() == Purposes.Length, "purposes", "must list one or more distinct purposes");
        check.Require(!Categories.IsDefaultOrEmpty && Categories.Distinct().Count() == Categories.Length, "categories", "must list one or more distinct categories");
        var regions = Regions.IsDefault ? [] : Regions;
        check.Require(regions.Length > 0 && regions.Distinct(StringComparer.Ordinal).Count() == regions.Length, "regions", "must list one or more distinct regions");
        foreach (var region in regions)
        {
            check.Region("regions", region);
        }

        check.Require(Location.Length is > 0 and <= 32 && Location.All(char.IsAsciiLetterLower), "location", "must be a region label (lower-case letters)");
        check.Require(Contract.ExpiresAt > Contract.SignedAt, "contract.expiresAt", "must be after signedAt");
        check.Require(Secret is null || (Secret.Length is >= MinSecretLength and <= MaxSecretLength && !Secret.Any(char.IsControl)), "secret", $"must be {MinSecretLength} to {MaxSecretLength} characters");
        check.Require(OpenDsrDomain is null || (OpenDsrDomain.Length <= 253 && Uri.CheckHostName(OpenDsrDomain) == UriHostNameType.Dns), "openDsrDomain", "must be a DNS name");
        check.Require((OpenDsrDomain is null) == (Certificate is null), "certificate", "must come with openDsrDomain, and openDsrDomain with it");
        check.Require(Certificate is null || (Certificate.Length <= MaxCertificateLength && Certificate.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)), "certificate", "must be a PEM certificate chain");
        return this with
        {
            Name = check.Text("name", Name),
            Contract = Contract with { Reference = check.Text("contract.reference", Contract.Reference, SharingEndpoints.MaxTextLength) },
            Endpoint = Url(check, "endpoint", Endpoint),
            ErasureEndpoint = Url(check, "erasureEndpoint", ErasureEndpoint),
        };
    }

    /// <summary>Whether an endpoint is plain <c>http://</c> (refused by the route outside development).</summary>
    public bool UsesHttp => Endpoint.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || ErasureEndpoint.StartsWith("http:", StringComparison.OrdinalIgnoreCase);

    private static string Url(RequestCheck check, string field, string text)
    {
        var ok = text.Length <= MaxUrlLength && Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0 &&
            (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
        check.Require(ok, field, "must be an absolute https URL without credentials");
        return text;
    }
}

/// <summary>Whose data: a person (<c>userId</c>), or a cluster (<c>clusterId</c> with its <c>region</c>).</summary>
internal sealed record SubjectBody(string? UserId = null, string? ClusterId = null, string? Region = null);

/// <summary>A recorded organisational change (basis <c>successor</c>).</summary>
internal sealed record ChangeBody(string Kind, string Successor, string Reference);

/// <summary>An officer's disclosure order.</summary>
internal sealed record DisclosureBody(
    SubjectBody Subject,
    string Recipient,
    DisclosureBasis Basis,
    ImmutableArray<DataCategory> Categories,
    string Rationale,
    DataPurpose? Purpose = null,
    string? Protects = null,
    ChangeBody? Change = null) : IRequestBody
{
    public IRequestBody Check(RequestCheck check)
    {
        check.Require(!Categories.IsDefaultOrEmpty && Categories.Distinct().Count() == Categories.Length, "categories", "must list one or more distinct categories");
        check.Require((Subject.UserId is null) != (Subject.ClusterId is null), "subject", "must name either a userId or a clusterId (with its region)");
        check.Require(Subject.ClusterId is null || Subject.Region is not null, "subject.region", "is required with a clusterId");
        check.Require(Protects is null || Protects.Length <= 32, "protects", "must be one of the-person, other-users, prime-directive, the-public");
        return this with
        {
            Recipient = check.Text("recipient", Recipient),
            Rationale = check.Text("rationale", Rationale, SharingEndpoints.MaxTextLength),
            Change = Change is null ? null : new ChangeBody(
                check.Text("change.kind", Change.Kind, 32), check.Text("change.successor", Change.Successor), check.Text("change.reference", Change.Reference, SharingEndpoints.MaxTextLength)),
        };
    }
}

/// <summary>A disclosure made: its ledger entry, and for a capability delivery the URL (shown once) and its expiry.</summary>
/// <param name="Disclosure">The ledger entry.</param>
/// <param name="PackageUrl">Where the recipient fetches the package (capability URL), if not pushed.</param>
/// <param name="PackageExpiresAt">When that URL stops working.</param>
internal sealed record DisclosureMade(DisclosureEntry Disclosure, string? PackageUrl, DateTimeOffset? PackageExpiresAt);

/// <summary>The processors registry as officers read it: every processor (never a secret), the audit of changes, and the mail relay's standing.</summary>
/// <param name="Processors">The processors.</param>
/// <param name="Audit">Every registry change, oldest first.</param>
/// <param name="MailRelay">The mail relay configuration names, judged against the registry (<c>flagged</c> unless under contract or unused).</param>
internal sealed record ProcessorList(ImmutableArray<ProcessorView> Processors, ImmutableArray<Grains.Interfaces.Users.AuditEntry> Audit, MailRelayView MailRelay);

/// <summary>Sharing's JSON, source-generated.</summary>
[JsonSerializable(typeof(ProcessorBody))]
[JsonSerializable(typeof(ProcessorView))]
[JsonSerializable(typeof(ProcessorList))]
[JsonSerializable(typeof(DisclosureBody))]
[JsonSerializable(typeof(DisclosureMade))]
[JsonSerializable(typeof(ImmutableArray<DisclosureEntry>))]
[JsonSerializable(typeof(ChainVerification))]
[JsonSerializable(typeof(DisclosurePackageDocument))]
internal sealed partial class SharingJson : JsonSerializerContext;
