using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using PrimeDirective.Grains.Interfaces.Receipts;

namespace PrimeDirective.Grains.Tests.Receipts;

/// <summary>The receipt key ring: keys from configuration, and the JWS it signs (flattened JSON, EdDSA, kid of the active key).</summary>
public sealed class ReceiptKeyRingTests
{
    [Fact]
    public void It_signs_a_flattened_JWS_with_EdDSA_by_the_active_key_over_exactly_header_and_payload()
    {
        var (older, newer) = (NewPem(), NewPem());
        using var ring = ReceiptKeyRing.Load(new ReceiptOptions { ActiveKey = "2026-02", Keys = { ["2026-01"] = older, ["2026-02"] = newer } });
        var payload = Encoding.UTF8.GetBytes("""{"kind":"erasure-receipt","receipt":{"requestId":"eu-1"}}""");

        var jws = ring.Sign(payload, "prime-directive-receipt+json");

        var header = JsonNode.Parse(Base64Url.TryDecode(jws.Protected)!)!.AsObject();
        Assert.Equal(("EdDSA", "2026-02", "prime-directive-receipt+json"), ((string?)header["alg"], (string?)header["kid"], (string?)header["typ"]));
        Assert.Equal(3, header.Count);
        Assert.Equal(payload, Base64Url.TryDecode(jws.Payload));
        Assert.DoesNotContain('=', jws.Protected + jws.Payload + jws.Signature);
        var signature = Base64Url.TryDecode(jws.Signature)!;
        Assert.Equal(64, signature.Length);
        var signingInput = Encoding.ASCII.GetBytes(jws.Protected + "." + jws.Payload);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(PublicKeyOf(ring, "2026-02"), signingInput, signature), "the active key's signature");
        Assert.False(SignatureAlgorithm.Ed25519.Verify(PublicKeyOf(ring, "2026-01"), signingInput, signature), "not the older key's");
        Assert.False(SignatureAlgorithm.Ed25519.Verify(PublicKeyOf(ring, "2026-02"), Encoding.ASCII.GetBytes(jws.Protected + "." + jws.Payload + "A"), signature), "not over anything else");
        Assert.Equal(["2026-01", "2026-02"], ring.Keys.Select(key => key.Id));
        Assert.False(ring.IsEphemeral);
    }

    [Fact]
    public void A_key_that_is_not_Ed25519_or_an_active_key_that_names_none_is_refused_without_echoing_the_key()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p256 = ecdsa.ExportPkcs8PrivateKeyPem();
        var good = NewPem();

        var notEd25519 = Assert.Throws<InvalidOperationException>(() => ReceiptKeyRing.Load(new ReceiptOptions { Keys = { ["k1"] = p256 } }));
        var unknownActive = Assert.Throws<InvalidOperationException>(() => ReceiptKeyRing.Load(new ReceiptOptions { ActiveKey = "k9", Keys = { ["k1"] = good } }));
        var twoWithoutActive = Assert.Throws<InvalidOperationException>(() => ReceiptKeyRing.Load(new ReceiptOptions { Keys = { ["k1"] = good, ["k2"] = NewPem() } }));
        var none = Assert.Throws<InvalidOperationException>(() => ReceiptKeyRing.Load(new ReceiptOptions()));

        Assert.Contains("Receipts:Keys:k1", notEd25519.Message, StringComparison.Ordinal);
        Assert.Contains("Receipts:ActiveKey", unknownActive.Message, StringComparison.Ordinal);
        Assert.Contains("Receipts:ActiveKey", twoWithoutActive.Message, StringComparison.Ordinal);
        Assert.Contains("Receipts:Keys", none.Message, StringComparison.Ordinal);
        Assert.All([notEd25519, unknownActive, twoWithoutActive], refused => Assert.DoesNotContain("PRIVATE KEY", refused.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void One_configured_key_is_active_without_naming_it_and_an_ephemeral_ring_says_it_is()
    {
        using var single = ReceiptKeyRing.Load(new ReceiptOptions { Keys = { ["only"] = NewPem() } });
        using var ephemeral = ReceiptKeyRing.Ephemeral();

        Assert.Equal("only", single.Active.Id);
        Assert.True(ephemeral.IsEphemeral);
        Assert.StartsWith("ephemeral-", ephemeral.Active.Id, StringComparison.Ordinal);
        Assert.Equal(32, ephemeral.Active.PublicKey.Length);
    }

    private static PublicKey PublicKeyOf(ReceiptKeyRing ring, string id) =>
        PublicKey.Import(SignatureAlgorithm.Ed25519, ring.Keys.Single(key => key.Id == id).PublicKey, KeyBlobFormat.RawPublicKey);

    private static string NewPem()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return Encoding.ASCII.GetString(key.Export(KeyBlobFormat.PkixPrivateKeyText));
    }
}
