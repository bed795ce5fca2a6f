using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Grains.Tests.OpenDsr;

/// <summary>Others' OpenDSR certificates are judged against the configured anchors and revocation lists, and signatures against the raw body.</summary>
public sealed class CertificateTrustTests : IDisposable
{
    private const string Domain = "opendsr.processor.test";
    private readonly OpenDsrAuthority _authority = new("trusted");
    private readonly OpenDsrAuthority _foreign = new("foreign");

    private CertificateTrust Trust() => new(new OpenDsrOptions { TrustAnchors = [_authority.Pem], RevocationLists = [_authority.RevocationListPem()] });

    [Fact]
    public void A_certificate_the_anchor_issued_for_the_domain_is_valid_and_only_for_that_domain()
    {
        var issued = _authority.Issue(Domain);
        Assert.Equal(CertificateVerdict.Valid, Trust().Check(issued.CertificatePem, Domain, DateTimeOffset.UtcNow));
        Assert.Equal(CertificateVerdict.WrongDomain, Trust().Check(issued.CertificatePem, "opendsr.other.test", DateTimeOffset.UtcNow));
        Assert.Equal(CertificateVerdict.WrongDomain, Trust().Check(_authority.Issue("opendsr.other.test").CertificatePem, Domain, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Self_signed_expired_not_yet_valid_foreign_weak_and_unreadable_certificates_are_refused()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(CertificateVerdict.SelfSigned, Trust().Check(OpenDsrAuthority.SelfSigned(Domain).CertificatePem, Domain, now));
        Assert.Equal(CertificateVerdict.Expired, Trust().Check(_authority.Issue(Domain, now.AddDays(-20), now.AddDays(-10)).CertificatePem, Domain, now));
        Assert.Equal(CertificateVerdict.Expired, Trust().Check(_authority.Issue(Domain, now.AddDays(10), now.AddDays(20)).CertificatePem, Domain, now));
        Assert.Equal(CertificateVerdict.Untrusted, Trust().Check(_foreign.Issue(Domain).CertificatePem, Domain, now));
        Assert.Equal(CertificateVerdict.WeakKey, Trust().Check(_authority.Issue(Domain, key: RSA.Create(1024)).CertificatePem, Domain, now));
        Assert.Equal(CertificateVerdict.Valid, Trust().Check(_authority.Issue(Domain, key: RSA.Create(2048)).CertificatePem, Domain, now));
        Assert.Equal(CertificateVerdict.Unreadable, Trust().Check("not a certificate", Domain, now));

        // Without any anchor nothing is trusted, not even a well-formed certificate.
        Assert.Equal(CertificateVerdict.Untrusted, new CertificateTrust(new OpenDsrOptions()).Check(_authority.Issue(Domain).CertificatePem, Domain, now));
    }

    [Fact]
    public void A_certificate_on_its_authoritys_revocation_list_is_revoked_and_one_on_a_forged_list_is_not()
    {
        var revoked = _authority.Issue(Domain);
        var kept = _authority.Issue(Domain);
        _authority.Revoke(revoked);
        Assert.Equal(CertificateVerdict.Revoked, Trust().Check(revoked.CertificatePem, Domain, DateTimeOffset.UtcNow));
        Assert.Equal(CertificateVerdict.Valid, Trust().Check(kept.CertificatePem, Domain, DateTimeOffset.UtcNow));

        // A list signed by another authority (same serial) revokes nothing of ours.
        _foreign.Revoke(kept);
        var forged = new CertificateTrust(new OpenDsrOptions { TrustAnchors = [_authority.Pem], RevocationLists = [_foreign.RevocationListPem()] });
        Assert.Equal(CertificateVerdict.Valid, forged.Check(kept.CertificatePem, Domain, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_signature_verifies_only_over_the_exact_body_by_the_certificates_own_key()
    {
        var body = Encoding.UTF8.GetBytes("""{"request_status":"completed"}""");
        foreach (var issued in new[] { _authority.Issue(Domain), _authority.Issue(Domain, key: RSA.Create(2048)) })
        {
            var signature = issued.Sign(body);
            Assert.True(CertificateTrust.Verifies(issued.CertificatePem, body, signature));

            var flipped = (byte[])body.Clone();
            flipped[5] ^= 0x01;
            Assert.False(CertificateTrust.Verifies(issued.CertificatePem, flipped, signature));
            Assert.False(CertificateTrust.Verifies(_authority.Issue(Domain).CertificatePem, body, signature));
            Assert.False(CertificateTrust.Verifies(issued.CertificatePem, body, null));
            Assert.False(CertificateTrust.Verifies(issued.CertificatePem, body, "not base64!"));
        }
    }

    [Fact]
    public void Our_key_ring_signs_with_the_active_key_and_refuses_a_key_that_is_not_its_certificates()
    {
        var (old, active) = (_authority.Issue("opendsr.us.test"), _authority.Issue("opendsr.us.test"));
        using var ring = new OpenDsrKeyRing(new OpenDsrOptions
        {
            Domain = "opendsr.us.test",
            ActiveKey = "2",
            Keys = new() { ["1"] = new() { Certificate = old.CertificatePem, PrivateKey = old.PrivateKeyPem }, ["2"] = new() { Certificate = active.CertificatePem, PrivateKey = active.PrivateKeyPem } },
        });
        var body = Encoding.UTF8.GetBytes("{}");
        var signature = ring.Sign(body);
        Assert.Equal(["1", "2"], ring.Keys.Select(key => key.Id));
        Assert.True(CertificateTrust.Verifies(active.CertificatePem, body, signature));
        Assert.False(CertificateTrust.Verifies(old.CertificatePem, body, signature));

        Assert.Throws<InvalidOperationException>(() => new OpenDsrKeyRing(new OpenDsrOptions
        {
            ActiveKey = "1",
            Keys = new() { ["1"] = new() { Certificate = old.CertificatePem, PrivateKey = active.PrivateKeyPem } },
        }));
        Assert.Throws<InvalidOperationException>(() => new OpenDsrKeyRing(new OpenDsrOptions
        {
            ActiveKey = "3",
            Keys = new() { ["1"] = new() { Certificate = old.CertificatePem, PrivateKey = old.PrivateKeyPem } },
        }));
        using var none = new OpenDsrKeyRing(new OpenDsrOptions());
        Assert.Null(none.Sign(body));
    }

    public void Dispose()
    {
        _authority.Dispose();
        _foreign.Dispose();
    }
}
