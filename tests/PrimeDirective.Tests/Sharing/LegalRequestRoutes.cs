using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>The officers' legal-request routes as the tests drive them: one body, one receipt, one decision.</summary>
internal static class LegalRequestRoutes
{
    private static readonly string[] s_account = ["account"];

    /// <summary>A legal request about the person <paramref name="userId"/>'s account data.</summary>
    public static object Body(string userId, string authority, string reference, DateTimeOffset? gagUntil, bool placeHold = false) => new
    {
        authority,
        reference,
        subject = new { userId },
        categories = s_account,
        gagUntil,
        placeHold,
    };

    /// <summary>Records a legal request about <paramref name="person"/> as <paramref name="officer"/>; answers its view.</summary>
    public static async Task<JsonNode> ReceiveAsync(
        HttpClient admin, Person officer, Person person, string authority, string reference, DateTimeOffset? gagUntil, bool placeHold = false)
    {
        using var response = await admin.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/legal-requests", Body(person.UserId, authority, reference, gagUntil, placeHold)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    /// <summary>Decides a legal request as <paramref name="officer"/>; answers the decision's body.</summary>
    public static async Task<JsonNode> DecideAsync(HttpClient admin, Person officer, string requestId, string decision, string rationale)
    {
        using var response = await admin.SendAsync(officer.Request(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision", new { decision, rationale }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }
}
