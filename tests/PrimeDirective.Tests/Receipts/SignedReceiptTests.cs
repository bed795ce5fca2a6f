using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;
using PrimeDirective.Verify;

namespace PrimeDirective.Tests.Receipts;

/// <summary>
/// Receipts anyone can verify: a completed erasure's receipt downloaded from the running service over HTTP, checked by
/// tools/Verify against keys.json fetched over HTTP, offline; an altered copy and a copy signed by another key are refused.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class SignedReceiptTests(SharedService service) : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    private readonly string _directory = Directory.CreateTempSubdirectory("pd-receipts-").FullName;

    [Fact]
    public async Task A_completed_erasure_receipt_downloads_signed_and_the_verifier_proves_it_against_the_published_keys()
    {
        var (person, requestId, receiptUrl, receipt) = await ErasedAsync();

        using var download = await service.Http.GetAsync(SignedUrl(receiptUrl));
        var signed = await download.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/jose+json", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("receipt.json", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        // The JWS: EdDSA by the active kid, over the receipt exactly as the API shows it (its key fingerprint included).
        var jws = JsonNode.Parse(signed)!;
        var header = Decoded((string)jws["protected"]!);
        Assert.Equal("EdDSA", (string?)header["alg"]);
        Assert.Equal(TestReceiptKeys.Id, (string?)header["kid"]);
        var payload = Decoded((string)jws["payload"]!);
        Assert.Equal("erasure-receipt", (string?)payload["kind"]);
        Assert.True(JsonNode.DeepEquals(receipt, payload["receipt"]), "the signed receipt is the receipt the API shows");
        var fingerprint = (string?)receipt["receipts"]!.AsArray().Single(item => (string?)item!["subject"] == "account")!["keyFingerprint"];
        Assert.False(string.IsNullOrEmpty(fingerprint), "the account's receipt names its destroyed key");
        Erasure.AssertReceiptNamesNone(payload, person.Email, person.Name, person.UserId);

        // keys.json over HTTP: the receipt key as an OKP JWK beside the others, and nothing private.
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");
        var jwk = JsonNode.Parse(keys)!["keys"]!.AsArray().Single(key => (string?)key!["kid"] == TestReceiptKeys.Id)!;
        Assert.Equal(("OKP", "Ed25519", "EdDSA", "sig"), ((string?)jwk["kty"], (string?)jwk["crv"], (string?)jwk["alg"], (string?)jwk["use"]));
        Assert.Equal(32, Base64Url.TryDecode((string)jwk["x"]!)?.Length);
        Assert.Null(jwk["d"]);
        Assert.Null(jwk["y"]);

        var (exit, output) = Verify(signed, keys);

        Assert.Equal(Verifier.Verified, exit);
        Assert.StartsWith("VERIFIED", output, StringComparison.Ordinal);
        Assert.Contains($"request {requestId}", output, StringComparison.Ordinal);
        Assert.Contains($"fingerprint {fingerprint}", output, StringComparison.Ordinal);
        Assert.Contains($"kid {TestReceiptKeys.Id}", output, StringComparison.Ordinal);
        Assert.Contains((string)payload["signedAt"]!, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_receipt_and_one_signed_by_another_key_do_not_verify()
    {
        var (_, _, receiptUrl, _) = await ErasedAsync();
        var signed = await service.Http.GetStringAsync(SignedUrl(receiptUrl));
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");
        var jws = JsonNode.Parse(signed)!;
        var payload = (string)jws["payload"]!;

        // One byte of the payload changed (another base64url character in its middle).
        var middle = payload.Length / 2;
        var altered = signed.Replace(payload, payload[..middle] + (payload[middle] == 'A' ? 'B' : 'A') + payload[(middle + 1)..], StringComparison.Ordinal);
        Assert.Equal(signed.Length, altered.Length);
        Assert.NotEqual(signed, altered);

        // The same payload signed by another key under our kid, and by a key the set does not hold.
        var payloadBytes = Base64Url.TryDecode(payload)!;
        using var impostor = ReceiptKeyRing.Load(new ReceiptOptions { Keys = { [TestReceiptKeys.Id] = TestReceiptKeys.NewPem() } });
        using var stranger = ReceiptKeyRing.Load(new ReceiptOptions { Keys = { ["stranger-1"] = TestReceiptKeys.NewPem() } });

        var alteredVerdict = Verify(altered, keys);
        var impostorVerdict = Verify(Serialized(impostor.Sign(payloadBytes, "prime-directive-receipt+json")), keys);
        var strangerVerdict = Verify(Serialized(stranger.Sign(payloadBytes, "prime-directive-receipt+json")), keys);
        var genuineVerdict = Verify(signed, keys);

        Assert.Equal((Verifier.NotVerified, true), (alteredVerdict.Exit, alteredVerdict.Output.StartsWith("NOT VERIFIED: bad signature", StringComparison.Ordinal)));
        Assert.Equal((Verifier.NotVerified, true), (impostorVerdict.Exit, impostorVerdict.Output.StartsWith("NOT VERIFIED: bad signature", StringComparison.Ordinal)));
        Assert.Equal((Verifier.NotVerified, true), (strangerVerdict.Exit, strangerVerdict.Output.StartsWith("NOT VERIFIED: unknown kid stranger-1", StringComparison.Ordinal)));
        // A refused receipt proves nothing: no fact is printed for it.
        Assert.DoesNotContain("signed by:", alteredVerdict.Output + impostorVerdict.Output + strangerVerdict.Output, StringComparison.Ordinal);
        Assert.Equal(Verifier.Verified, genuineVerdict.Exit);
    }

    [Fact]
    public async Task The_signed_receipt_is_only_for_its_capability_or_its_person()
    {
        var (person, requestId, receiptUrl, _) = await ErasedAsync();
        var other = await service.SignUpAsync();

        using var anonymous = await service.Http.GetAsync($"/v1/privacy-requests/{requestId}/receipt.json");
        using var wrongCapability = await service.Http.GetAsync($"/v1/privacy-requests/{requestId}/receipt.json?capability={Guid.NewGuid():N}");
        using var someoneElse = await service.Http.SendAsync(other.Request(HttpMethod.Get, $"/v1/privacy-requests/{requestId}/receipt.json"));
        var bodies = await anonymous.Content.ReadAsStringAsync() + await wrongCapability.Content.ReadAsStringAsync() + await someoneElse.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongCapability.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, someoneElse.StatusCode);
        Assert.DoesNotContain("payload", bodies, StringComparison.Ordinal);
        Assert.DoesNotContain("signature", bodies, StringComparison.Ordinal);
        Assert.DoesNotContain(person.UserId, bodies, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(Person Person, string RequestId, string ReceiptUrl, JsonNode Receipt)> ErasedAsync()
    {
        var person = await service.SignUpAsync();
        var (requestId, receiptUrl) = await Erasure.EraseAsync(service, person);
        var receipt = await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, s_deadline);
        return (person, requestId, receiptUrl, receipt);
    }

    /// <summary>The signed receipt's route beside the receipt's capability URL.</summary>
    private static string SignedUrl(string receiptUrl) => receiptUrl.Replace("?capability=", "/receipt.json?capability=", StringComparison.Ordinal);

    /// <summary>Runs the verifier on files, as a person would after saving both.</summary>
    private (int Exit, string Output) Verify(string receipt, string keys) => VerifierRun.Files(_directory, receipt, keys);

    private static string Serialized(Jws jws) => new JsonObject { ["protected"] = jws.Protected, ["payload"] = jws.Payload, ["signature"] = jws.Signature }.ToJsonString();

    private static JsonNode Decoded(string member) => VerifierRun.Decoded(member);
}

/// <summary>tools/Verify as a person runs it: on files saved from the service.</summary>
internal static class VerifierRun
{
    /// <summary>Saves <paramref name="receipt"/> and <paramref name="keys"/> under <paramref name="directory"/> and verifies them.</summary>
    public static (int Exit, string Output) Files(string directory, string receipt, string keys)
    {
        var receiptPath = Path.Combine(directory, $"receipt-{Guid.NewGuid():N}.json");
        var keysPath = Path.Combine(directory, $"keys-{Guid.NewGuid():N}.json");
        File.WriteAllText(receiptPath, receipt);
        File.WriteAllText(keysPath, keys);
        using var output = new StringWriter();
        var exit = Verifier.Run(["verify", receiptPath, "--keys", keysPath], output);
        return (exit, output.ToString());
    }

    /// <summary>A JWS member (base64url JSON) as JSON.</summary>
    public static JsonNode Decoded(string member) => JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.TryDecode(member)!))!;
}
