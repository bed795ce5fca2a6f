using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;
using PrimeDirective.Verify;

namespace PrimeDirective.Tests.Receipts;

/// <summary>
/// A person's disclosure-ledger head, signed: downloaded over HTTP from the running service, it verifies with tools/Verify
/// against keys.json and says what the ledger and the region's evidence say; an altered copy is refused; nobody else's
/// download carries it.
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class SignedLedgerHeadTests(SharingService service) : IDisposable
{
    private const string Route = "/v1/me/disclosures/head.json";

    private readonly string _directory = Directory.CreateTempSubdirectory("pd-ledger-heads-").FullName;

    [Fact]
    public async Task A_signed_ledger_head_verifies_against_the_published_keys_and_equals_the_current_head_and_its_evidence()
    {
        var person = await DisclosedTwiceAsync();

        using var download = await service.Http.SendAsync(person.Request(HttpMethod.Get, Route));
        var signed = await download.Content.ReadAsStringAsync();
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");
        var ledger = await service.LedgerAsync(person);
        var verification = await service.VerifyAsync(person);
        var (exit, output) = VerifierRun.Files(_directory, signed, keys);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/jose+json", download.Content.Headers.ContentType?.MediaType);
        var header = VerifierRun.Decoded((string)JsonNode.Parse(signed)!["protected"]!);
        Assert.Equal(("EdDSA", TestReceiptKeys.Id), ((string?)header["alg"], (string?)header["kid"]));
        var payload = VerifierRun.Decoded((string)JsonNode.Parse(signed)!["payload"]!);
        Assert.Equal("disclosure-ledger-head", (string?)payload["kind"]);
        Assert.Equal(person.UserId, (string?)payload["account"]);

        // The head is the person's ledger as they see it, and what the region's evidence recorded last.
        var head = (string)payload["ledger"]!["head"]!;
        Assert.Equal(2, ledger.Count);
        Assert.Equal(2, (int)payload["ledger"]!["entries"]!);
        Assert.Equal((string?)ledger[^1]!["hash"], head);
        Assert.Equal((true, 2, head, head), ((bool)verification["valid"]!, (int)verification["evidenceEntries"]!, (string?)verification["head"], (string?)verification["evidenceHead"]));

        Assert.Equal(Verifier.Verified, exit);
        Assert.StartsWith("VERIFIED", output, StringComparison.Ordinal);
        Assert.Contains($"account {person.UserId}: its disclosure ledger's first 2 entries end in head {head}", output, StringComparison.Ordinal);
        Assert.Contains($"kid {TestReceiptKeys.Id}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_altered_ledger_head_does_not_verify()
    {
        var person = await DisclosedTwiceAsync();
        using var download = await service.Http.SendAsync(person.Request(HttpMethod.Get, Route));
        var signed = await download.Content.ReadAsStringAsync();
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");

        // The payload re-encoded with one entry fewer: a plausible forgery, under the original signature.
        var jws = JsonNode.Parse(signed)!;
        var payload = VerifierRun.Decoded((string)jws["payload"]!);
        payload["ledger"]!["entries"] = 1;
        var altered = new JsonObject
        {
            ["protected"] = (string)jws["protected"]!,
            ["payload"] = Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString())),
            ["signature"] = (string)jws["signature"]!,
        }.ToJsonString();

        var alteredVerdict = VerifierRun.Files(_directory, altered, keys);
        var genuineVerdict = VerifierRun.Files(_directory, signed, keys);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Verifier.NotVerified, alteredVerdict.Exit);
        Assert.StartsWith("NOT VERIFIED: bad signature", alteredVerdict.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ledger:", alteredVerdict.Output, StringComparison.Ordinal);
        Assert.Equal(Verifier.Verified, genuineVerdict.Exit);
    }

    [Fact]
    public async Task Nobody_else_can_fetch_a_persons_signed_ledger_head()
    {
        var person = await DisclosedTwiceAsync();
        var other = await service.SignUpAsync();
        var head = (string)(await service.LedgerAsync(person))[^1]!["hash"]!;

        using var anonymous = await service.Http.GetAsync(Route);
        using var others = await service.Http.SendAsync(other.Request(HttpMethod.Get, Route));
        var othersSigned = await others.Content.ReadAsStringAsync();
        var othersPayload = VerifierRun.Decoded((string)JsonNode.Parse(othersSigned)!["payload"]!);
        var anonymousBody = await anonymous.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("payload", anonymousBody, StringComparison.Ordinal);

        // The other person gets their own, empty ledger's head, and nothing of the person's.
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
        Assert.Equal(other.UserId, (string?)othersPayload["account"]);
        Assert.Equal((0, new string('0', 64)), ((int)othersPayload["ledger"]!["entries"]!, (string?)othersPayload["ledger"]!["head"]));
        Assert.DoesNotContain(person.UserId, othersPayload.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(head, othersPayload.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(await service.LedgerAsync(other));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<Person> DisclosedTwiceAsync()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "consent", "Archive Partner", ["account"]));
        await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "consent", "Survey Partner", ["account"]));
        return person;
    }
}
