using PrimeDirective.Grains.Tests.OpenDsr;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.OpenDsr;

/// <summary>
/// The sharing service speaking OpenDSR: our domain and public URL, two key versions (the second active) issued by a
/// private authority minted at run time, which is also the one trust anchor, with its revocation list.
/// </summary>
public class OpenDsrService : SharingService
{
    public const string Domain = "opendsr.primedirective.test";

    public const string PublicBaseUrl = "https://opendsr.primedirective.test";

    public OpenDsrService()
    {
        Previous = Authority.Issue(Domain);
        Active = Authority.Issue(Domain);
        Revoked = Authority.Issue("opendsr.revoked.test");
        Authority.Revoke(Revoked);
        Settings["OpenDsr:Domain"] = Domain;
        Settings["OpenDsr:PublicBaseUrl"] = PublicBaseUrl;
        Settings["OpenDsr:ActiveKey"] = "2026-02";
        Settings["OpenDsr:Keys:2026-01:Certificate"] = Previous.CertificatePem;
        Settings["OpenDsr:Keys:2026-01:PrivateKey"] = Previous.PrivateKeyPem;
        Settings["OpenDsr:Keys:2026-02:Certificate"] = Active.CertificatePem;
        Settings["OpenDsr:Keys:2026-02:PrivateKey"] = Active.PrivateKeyPem;
        Settings["OpenDsr:TrustAnchors:0"] = Authority.Pem;
        Settings["OpenDsr:RevocationLists:0"] = Authority.RevocationListPem();
    }

    /// <summary>The authority every OpenDSR party of these tests holds a certificate of.</summary>
    public OpenDsrAuthority Authority { get; } = new("opendsr");

    public OpenDsrAuthority.Issued Previous { get; }

    public OpenDsrAuthority.Issued Active { get; }

    /// <summary>A certificate on the authority's revocation list.</summary>
    public OpenDsrAuthority.Issued Revoked { get; }

    protected override string Purpose => "opendsr";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Authority.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OpenDsrFixture : ICollectionFixture<OpenDsrService>
{
    public const string Name = "opendsr service";
}
