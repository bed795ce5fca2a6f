using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Secrecy;
using PrimeDirective.Verify;

namespace PrimeDirective.Tests.Receipts;

/// <summary>
/// The notices a person gets about a legal request for their data, signed: downloaded over HTTP from the running service,
/// each verifies with tools/Verify against keys.json and says what it told whom; an altered copy is refused; nobody else
/// can fetch it; and of a gagged request nothing is signed (or visible) before its gag ends.
/// </summary>
[Collection(SecrecyFixture.Name)]
public sealed class SignedLegalNoticeTests(SecrecyService service) : IDisposable
{
    private const string Rationale = "The subpoena is valid, specific and within the agency's authority.";

    private readonly string _directory = Directory.CreateTempSubdirectory("pd-legal-notices-").FullName;

    [Fact]
    public async Task Each_legal_request_notice_downloads_signed_and_the_verifier_proves_what_it_told_against_the_published_keys()
    {
        var person = await service.SignUpAsync();
        var reference = $"CIV-{Guid.NewGuid():N}";
        var requestId = await ReceivedAsync(person, reference, gagUntil: null);
        await service.DecideLegalRequestAsync(requestId, "reject", "Overbroad: the request names no specific matter.");
        var notices = await service.LegalNoticesAsync(person);
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");

        foreach (var (noticeId, stage) in new[] { ($"legal-request-{requestId}-received", "received"), ($"legal-request-{requestId}", "decided") })
        {
            using var download = await service.Http.SendAsync(person.Request(HttpMethod.Get, NoticeRoute(noticeId)));
            var signed = await download.Content.ReadAsStringAsync();
            var (exit, output) = VerifierRun.Files(_directory, signed, keys);

            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("application/jose+json", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("notice.json", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            var jws = JsonNode.Parse(signed)!;
            var header = VerifierRun.Decoded((string)jws["protected"]!);
            Assert.Equal(("EdDSA", TestReceiptKeys.Id), ((string?)header["alg"], (string?)header["kid"]));

            // The payload is the notice exactly as the account keeps it, about this request and stage, for this person.
            var payload = VerifierRun.Decoded((string)jws["payload"]!);
            var kept = notices.Single(notice => (string?)notice["id"] == noticeId);
            Assert.Equal(("legal-request-notice", person.UserId), ((string?)payload["kind"], (string?)payload["account"]));
            Assert.Equal((noticeId, requestId, stage), ((string?)payload["notice"]!["id"], (string?)payload["notice"]!["legalRequestId"], (string?)payload["notice"]!["stage"]));
            Assert.Equal((string?)kept["text"], (string?)payload["notice"]!["text"]);
            Assert.Equal((DateTimeOffset)kept["at"]!, (DateTimeOffset)payload["notice"]!["at"]!);
            Assert.Contains(reference, (string)payload["notice"]!["text"]!, StringComparison.Ordinal);

            Assert.Equal(Verifier.Verified, exit);
            Assert.StartsWith("VERIFIED", output, StringComparison.Ordinal);
            Assert.Contains($"notice:    account {person.UserId} was told on ", output, StringComparison.Ordinal);
            Assert.Contains($"that legal request {requestId} was {stage}", output, StringComparison.Ordinal);
            Assert.Contains(reference, output, StringComparison.Ordinal);
            Assert.Contains($"kid {TestReceiptKeys.Id}", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_altered_legal_request_notice_does_not_verify()
    {
        var person = await service.SignUpAsync();
        var reference = $"CIV-{Guid.NewGuid():N}";
        var requestId = await ReceivedAsync(person, reference, gagUntil: null);
        using var download = await service.Http.SendAsync(person.Request(HttpMethod.Get, NoticeRoute($"legal-request-{requestId}-received")));
        var signed = await download.Content.ReadAsStringAsync();
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");

        // A plausible forgery under the original signature: the notice names another authority's reference.
        var jws = JsonNode.Parse(signed)!;
        var payload = VerifierRun.Decoded((string)jws["payload"]!);
        payload["notice"]!["text"] = ((string)payload["notice"]!["text"]!).Replace(reference, "CIV-forged", StringComparison.Ordinal);
        var altered = new JsonObject
        {
            ["protected"] = (string)jws["protected"]!,
            ["payload"] = Base64Url.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString())),
            ["signature"] = (string)jws["signature"]!,
        }.ToJsonString();

        var alteredVerdict = VerifierRun.Files(_directory, altered, keys);
        var genuineVerdict = VerifierRun.Files(_directory, signed, keys);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Contains("CIV-forged", VerifierRun.Decoded((string)JsonNode.Parse(altered)!["payload"]!).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(Verifier.NotVerified, alteredVerdict.Exit);
        Assert.StartsWith("NOT VERIFIED: bad signature", alteredVerdict.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("notice:", alteredVerdict.Output, StringComparison.Ordinal);
        Assert.Equal(Verifier.Verified, genuineVerdict.Exit);
    }

    [Fact]
    public async Task Nobody_else_can_fetch_a_persons_signed_legal_request_notice()
    {
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();
        var reference = $"CIV-{Guid.NewGuid():N}";
        var requestId = await ReceivedAsync(person, reference, gagUntil: null);
        var route = NoticeRoute($"legal-request-{requestId}-received");

        using var anonymous = await service.Http.GetAsync(route);
        using var others = await service.Http.SendAsync(other.Request(HttpMethod.Get, route));

        // The person's own account: ids that are not a legal-request notice they got are refused the same way.
        using var unknown = await service.Http.SendAsync(person.Request(HttpMethod.Get, NoticeRoute($"legal-request-eu-{Guid.NewGuid():N}")));
        using var malformed = await service.Http.SendAsync(person.Request(HttpMethod.Get, NoticeRoute("legal-request-")));
        var bodies = await anonymous.Content.ReadAsStringAsync() + await others.Content.ReadAsStringAsync()
            + await unknown.Content.ReadAsStringAsync() + await malformed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.DoesNotContain("payload", bodies, StringComparison.Ordinal);
        Assert.DoesNotContain("signature", bodies, StringComparison.Ordinal);
        Assert.DoesNotContain(reference, bodies, StringComparison.Ordinal);
        Assert.DoesNotContain(person.UserId, bodies, StringComparison.Ordinal);

        // Asking changed nobody's notices: the other person still has none, the person still has one.
        Assert.Empty(await service.LegalNoticesAsync(other));
        Assert.Single(await service.LegalNoticesAsync(person));
    }

    [Fact]
    public async Task A_gagged_request_yields_no_signed_notice_until_its_gag_ends_and_then_both_verify()
    {
        var person = await service.SignUpAsync();
        var reference = $"SUB-{Guid.NewGuid():N}";
        var requestId = await ReceivedAsync(person, reference, service.Clock.GetUtcNow().AddDays(10));
        await service.DecideLegalRequestAsync(requestId, "disclose", Rationale);
        string[] routes = [NoticeRoute($"legal-request-{requestId}-received"), NoticeRoute($"legal-request-{requestId}")];

        // While the gag runs: nothing to sign, and the answer is the one any unknown id gets.
        var control = NoticeRoute($"legal-request-eu-{Guid.NewGuid():N}-received");
        using var unknown = await service.Http.SendAsync(person.Request(HttpMethod.Get, control));
        var unknownBody = await unknown.Content.ReadAsStringAsync();
        foreach (var route in routes)
        {
            using var gagged = await service.Http.SendAsync(person.Request(HttpMethod.Get, route));
            var body = await gagged.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, gagged.StatusCode);
            Assert.Equal(unknown.StatusCode, gagged.StatusCode);
            Assert.Equal(Problem(unknownBody), Problem(body));
            Assert.DoesNotContain(reference, body, StringComparison.Ordinal);
        }

        Assert.Empty(await service.LegalNoticesAsync(person));

        // The gag ends: both notices arrive, and each is signed and verifies.
        service.Clock.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        await Eventually.ReturnsAsync(() => service.LegalNoticesAsync(person), found => found.Count >= 2, TimeSpan.FromSeconds(30), "both notices at the gag's end");
        var keys = await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json");
        foreach (var route in routes)
        {
            using var told = await service.Http.SendAsync(person.Request(HttpMethod.Get, route));
            var (exit, output) = VerifierRun.Files(_directory, await told.Content.ReadAsStringAsync(), keys);
            Assert.Equal(HttpStatusCode.OK, told.StatusCode);
            Assert.Equal(Verifier.Verified, exit);
            Assert.Contains(reference, output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string NoticeRoute(string noticeId) => $"/v1/me/notifications/{Uri.EscapeDataString(noticeId)}/notice.json";

    /// <summary>A problem's type, title and status: what an answer says, without the per-request trace id.</summary>
    private static (string?, string?, int?) Problem(string body) =>
        JsonNode.Parse(body) is { } problem ? ((string?)problem["type"], (string?)problem["title"], (int?)problem["status"]) : default;

    private async Task<string> ReceivedAsync(Person person, string reference, DateTimeOffset? gagUntil) =>
        (string)(await service.ReceiveLegalRequestAsync(person, reference, gagUntil, authority: "County Court"))["request"]!["requestId"]!;
}
