using System.Net;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;
using PrimeDirective.Tests.Secrecy;
using PrimeDirective.Tests.Sharing;
using PrimeDirective.Verify;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.Receipts;

/// <summary>
/// The Privacy Center offers the signed copies a person may keep: each legal-request notice (notice.json) and the head of
/// their disclosure ledger (disclosures-head.json), downloaded in a real browser and verified offline against keys.json.
/// </summary>
[Collection(SecrecyPagesFixture.Name)]
public sealed class SignedCopiesPageTests(SecrecyPagesService service) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pd-signed-pages-").FullName;

    [Fact]
    public async Task The_notices_page_downloads_a_signed_legal_request_notice_and_a_signed_ledger_head_that_verify()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        using (var disclosed = await service.AdminAsync(HttpMethod.Post, "/v1/admin/disclosures", Sharing.Sharing.ForPerson(person, "consent", "Archive Partner", ["account"])))
        {
            Assert.Equal(HttpStatusCode.Created, disclosed.StatusCode);
        }

        var reference = $"CIV-{Guid.NewGuid():N}";
        var requestId = (string)(await service.ReceiveLegalRequestAsync(person, reference, gagUntil: null, authority: "County Court"))["request"]!["requestId"]!;
        var hash = (string)(await service.LedgerAsync(person))[0]!["hash"]!;
        var keys = Path.Combine(_directory, "keys.json");
        await File.WriteAllTextAsync(keys, await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json"));
        var page = await service.NewPageAsync(service.Http);
        await service.SignInAsync(page, person.Email);

        await page.GotoAsync("/privacy/me/notices");
        await page.AssertAccessibleAsync();

        // One legal-request notice, so one signed copy offered; it verifies and says what we told the person.
        var noticeLinks = page.GetByRole(AriaRole.Link, new() { Name = "Download the signed notice (notice.json)" });
        await Expect(noticeLinks).ToHaveCountAsync(1);
        var notice = await page.RunAndWaitForDownloadAsync(() => noticeLinks.ClickAsync());
        var (noticeExit, noticeOutput) = await VerifiedAsync(notice, keys);
        Assert.Equal("notice.json", notice.SuggestedFilename);
        Assert.Equal(Verifier.Verified, noticeExit);
        Assert.Contains($"account {person.UserId} was told on ", noticeOutput, StringComparison.Ordinal);
        Assert.Contains($"that legal request {requestId} was received", noticeOutput, StringComparison.Ordinal);
        Assert.Contains(reference, noticeOutput, StringComparison.Ordinal);

        // The ledger's head: one entry, ending in the hash the person's ledger shows.
        var head = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download the signed head of your disclosure ledger (disclosures-head.json)" }).ClickAsync());
        var (headExit, headOutput) = await VerifiedAsync(head, keys);
        Assert.Equal("disclosures-head.json", head.SuggestedFilename);
        Assert.Equal(Verifier.Verified, headExit);
        Assert.Contains($"account {person.UserId}: its disclosure ledger's first 1 entries end in head {hash}", headOutput, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Exit, string Output)> VerifiedAsync(IDownload download, string keys)
    {
        var path = (await download.PathAsync())!;
        using var output = new StringWriter();
        var exit = Verifier.Run(["verify", path, "--keys", keys], output);
        return (exit, output.ToString());
    }
}
