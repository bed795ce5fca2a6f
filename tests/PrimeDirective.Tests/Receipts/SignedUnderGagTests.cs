using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Secrecy;
using PrimeDirective.Tests.Sharing;
using PrimeDirective.Verify;

namespace PrimeDirective.Tests.Receipts;

/// <summary>
/// What we sign keeps what we may not tell yet: a ledger head signed under a gag covers only the entries before the gagged
/// disclosure (not it, nor anything after it), and a receipt is signed only once its request has completed.
/// </summary>
[Collection(SecrecyFixture.Name)]
public sealed class SignedUnderGagTests(SecrecyService service) : IDisposable
{
    private const string HeadRoute = "/v1/me/disclosures/head.json";

    private readonly string _directory = Directory.CreateTempSubdirectory("pd-signed-gag-").FullName;

    [Fact]
    public async Task A_ledger_head_signed_under_a_gag_reveals_neither_the_gagged_disclosure_nor_what_follows_it_until_the_gag_ends()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        await DiscloseAsync(person, "Archive Partner");
        var reference = $"SUB-{Guid.NewGuid():N}";
        var requestId = (string)(await service.ReceiveLegalRequestAsync(person, reference, service.Clock.GetUtcNow().AddDays(10)))["request"]!["requestId"]!;
        await service.DecideLegalRequestAsync(requestId, "disclose", "The subpoena is valid, specific and within the agency's authority.");
        await DiscloseAsync(person, "Survey Partner");
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");

        // Under the gag the person lists the first and the third entry; the signed head vouches only for the first.
        var visible = await service.LedgerAsync(person);
        var (gaggedHead, gaggedSigned) = await SignedHeadAsync(person);
        var gaggedVerdict = VerifierRun.Files(_directory, gaggedSigned, keys);
        Assert.Equal(["Archive Partner", "Survey Partner"], visible.Select(entry => (string?)entry!["recipient"]));
        Assert.Equal(1, (int)gaggedHead["ledger"]!["entries"]!);
        Assert.Equal((string?)visible[0]!["hash"], (string?)gaggedHead["ledger"]!["head"]);
        Assert.Equal((DateTimeOffset)visible[0]!["at"]!, (DateTimeOffset)gaggedHead["ledger"]!["lastEntryAt"]!);
        Assert.DoesNotContain((string)visible[1]!["hash"]!, gaggedSigned + gaggedHead.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(Verifier.Verified, gaggedVerdict.Exit);
        Assert.Contains("first 1 entries end in head", gaggedVerdict.Output, StringComparison.Ordinal);

        // The gag ends: the legal disclosure joins the list, and the head now covers all three, ending in the last.
        service.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        var ledger = await Eventually.ReturnsAsync(() => service.LedgerAsync(person), found => found.Count == 3, TimeSpan.FromSeconds(30), "the gagged disclosure shown at the gag's end");
        var (head, signed) = await SignedHeadAsync(person);
        var gagged = ledger.Single(entry => (string?)entry!["legalReference"] == reference)!;
        Assert.Equal(3, (int)head["ledger"]!["entries"]!);
        Assert.Equal((string?)ledger[^1]!["hash"], (string?)head["ledger"]!["head"]);
        Assert.Equal(Verifier.Verified, VerifierRun.Files(_directory, signed, keys).Exit);

        // What the head signed under the gag held nothing of the gagged entry.
        Assert.DoesNotContain((string)gagged["hash"]!, gaggedSigned + gaggedHead.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(reference, gaggedHead.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receipt_not_yet_completed_answers_409_and_signs_nothing()
    {
        var person = await service.SignUpAsync();
        await service.ReceiveLegalRequestAsync(person, $"CIV-{Guid.NewGuid():N}", gagUntil: null, placeHold: true);

        // The hold defers the erasure: it stays on hold, not completed.
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        await Eventually.ReturnsAsync(
            async () => (string?)JsonNode.Parse(await service.Http.GetStringAsync(receiptUrl))!["status"], status => status == "on-hold", TimeSpan.FromSeconds(30), "the erasure on hold");
        var signedUrl = receiptUrl.Replace("?capability=", "/receipt.json?capability=", StringComparison.Ordinal);

        // At the receipt's capability (the person's token ended with the erasure's start, as the account closed).
        using var response = await service.Http.GetAsync(signedUrl);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.DoesNotContain("payload", body, StringComparison.Ordinal);
        Assert.DoesNotContain("signature", body, StringComparison.Ordinal);
        Assert.DoesNotContain("protected", body, StringComparison.Ordinal);

        // Still on hold: asking for the signed receipt changed nothing.
        Assert.Equal("on-hold", (string?)JsonNode.Parse(await service.Http.GetStringAsync(receiptUrl))!["status"]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task DiscloseAsync(Person person, string recipient)
    {
        using var response = await service.AdminAsync(HttpMethod.Post, "/v1/admin/disclosures", Sharing.Sharing.ForPerson(person, "consent", recipient, ["account"]));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<(JsonNode Payload, string Signed)> SignedHeadAsync(Person person)
    {
        using var download = await service.Http.SendAsync(person.Request(HttpMethod.Get, HeadRoute));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var signed = await download.Content.ReadAsStringAsync();
        return (VerifierRun.Decoded((string)JsonNode.Parse(signed)!["payload"]!), signed);
    }
}
