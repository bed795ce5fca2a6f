using System.Globalization;
using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>
/// A legal request outlives the person it was about, as the law needs it (reference, authority, decision, dates, a
/// destruction proof), but not their identity: the person's erasure destroys the link and the free-text rationale.
/// </summary>
[Collection(SecrecyFixture.Name)]
public sealed class LegalRecordErasureTests(SecrecyService service)
{
    [Fact]
    public async Task After_the_persons_erasure_the_legal_request_keeps_what_the_law_needs_and_no_row_names_the_person()
    {
        var person = await service.SignUpAsync();
        var bystander = await service.SignUpAsync();
        var reference = $"CIV-{Guid.NewGuid():N}";
        var rationale = $"Overbroad: it names no specific matter {Guid.NewGuid():N}.";
        var requestId = (string)(await service.ReceiveLegalRequestAsync(person, reference, gagUntil: null, placeHold: true, authority: "County Court"))["request"]!["requestId"]!;
        var bystanderRequestId = (string)(await service.ReceiveLegalRequestAsync(bystander, $"CIV-{Guid.NewGuid():N}", gagUntil: null))["request"]!["requestId"]!;
        await service.DecideLegalRequestAsync(requestId, "reject", rationale);
        Assert.True(await service.Database.CountRowsContainingAsync(person.UserId) > 0);

        // The person asks for erasure; the request's hold defers it until the officer lifts it, then it completes.
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        await Eventually.ReturnsAsync(() => StatusAsync(receiptUrl), status => status == "on-hold", TimeSpan.FromSeconds(30), "the erasure waits on the hold");
        using (var lift = await service.AdminAsync(HttpMethod.Delete, $"/v1/admin/legal-holds/users/{person.UserId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        await Eventually.ReturnsAsync(() => StatusAsync(receiptUrl), status => status == "completed", TimeSpan.FromSeconds(60), "the erasure completes");

        // The legal request keeps authority, reference, decision and dates, and says when the link went, with its proof.
        var view = await service.LegalRequestAsync(requestId);
        Assert.Null(view["request"]!["userId"]);
        Assert.Equal("County Court", (string?)view["request"]!["authority"]);
        Assert.Equal(reference, (string?)view["request"]!["reference"]);
        Assert.Equal("reject", (string?)view["decision"]!["kind"]);
        Assert.NotNull(view["decision"]!["decidedAt"]);
        Assert.Null(view["decision"]!["rationale"]);
        Assert.NotNull(view["receivedAt"]);
        var erased = view["subjectErased"]!;
        Assert.False(string.IsNullOrEmpty((string?)erased["proofId"]));

        // The proof is in the region's ledger, naming nobody.
        var day = ((DateTimeOffset)erased["at"]!).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        using (var ledger = await service.AdminAsync(HttpMethod.Get, $"/v1/admin/destruction-ledger/eu/{day}"))
        {
            Assert.Equal(HttpStatusCode.OK, ledger.StatusCode);
            Assert.Contains((await Json.ReadAsync(ledger)).AsArray(), entry =>
                (string?)entry!["subjectKind"] == "legal-request" && (string?)entry["category"] == "identifier" && (int)entry["count"]! >= 1);
        }

        // No row anywhere holds the person's id, address or name, nor the rationale that may have named them.
        foreach (var value in new[] { person.UserId, person.Email, person.Name, rationale })
        {
            Assert.Equal(0, await service.Database.CountRowsContainingAsync(value));
        }

        // The other person's request is untouched.
        Assert.Equal(bystander.UserId, (string?)(await service.LegalRequestAsync(bystanderRequestId))["request"]!["userId"]);
        Assert.Null((await service.LegalRequestAsync(bystanderRequestId))["subjectErased"]);

        // The record cannot be decided again for a person who is gone.
        using var decideAgain = await service.AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision", new { decision = "reject", rationale });
        Assert.Equal(HttpStatusCode.Conflict, decideAgain.StatusCode);
    }

    private async Task<string> StatusAsync(string receiptUrl)
    {
        using var response = await service.Http.GetAsync(receiptUrl);
        response.EnsureSuccessStatusCode();
        return (string)(await Json.ReadAsync(response))["status"]!;
    }
}
