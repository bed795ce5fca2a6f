using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>A receipt is a person-facing answer too: an erasure completed while a gag runs counts only what the person could see.</summary>
[Collection(SecrecyFixture.Name)]
public sealed class GaggedErasureReceiptTests(SecrecyService service)
{
    [Fact]
    public async Task An_erasure_completed_under_a_gag_has_the_receipt_a_control_gets()
    {
        var gagged = await service.SignUpAsync();
        var control = await service.SignUpAsync();
        var requestId = (string)(await service.ReceiveLegalRequestAsync(gagged, $"SUB-{Guid.NewGuid():N}", service.Clock.GetUtcNow().AddDays(30), placeHold: true))["request"]!["requestId"]!;
        await service.DecideLegalRequestAsync(requestId, "disclose", "The subpoena is valid, specific and within the agency's authority.");

        // Both ask for erasure; the officer lifts the hold while the gag still runs, so both complete.
        var gaggedReceipt = await EraseAsync(gagged);
        var controlReceipt = await EraseAsync(control);
        using (var lift = await service.AdminAsync(HttpMethod.Delete, $"/v1/admin/legal-holds/users/{gagged.UserId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        var gaggedDone = await Eventually.ReturnsAsync(() => StatusAsync(gaggedReceipt), body => body.Contains("\"completed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the gagged erasure completes");
        var controlDone = await Eventually.ReturnsAsync(() => StatusAsync(controlReceipt), body => body.Contains("\"completed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the control's erasure completes");
        Assert.Equal(Twins.Normalise(controlDone), Twins.Normalise(gaggedDone));

        // The legal request no longer names the person; the gag still runs, so nobody was told anything.
        var view = await service.LegalRequestAsync(requestId);
        Assert.Null(view["request"]!["userId"]);
        Assert.Null(view["receiptNotifiedAt"]);
        Assert.DoesNotContain(await service.MailSubjectsAsync(gagged.Email), subject => subject.Contains("hand over", StringComparison.Ordinal));
    }

    private async Task<string> EraseAsync(Person person)
    {
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        return (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
    }

    private async Task<string> StatusAsync(string receiptUrl)
    {
        using var response = await service.Http.GetAsync(receiptUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
