using System.Globalization;
using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>
/// A legal hold's end is an instant: without an explicit offset it would be read in the server's time zone, so a hold
/// could end hours before or after the order says. Such a value is refused (422) and no hold is placed.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class LegalHoldInputTests(SharedService service)
{
    [Fact]
    public async Task An_end_without_an_offset_is_refused_and_places_no_hold()
    {
        var (admin, officer) = await OfficerAsync();
        foreach (var endsAt in new[] { "2030-01-01T00:00:00", "2030-01-01T00:00", "2030-01-01", "2030-01-01 00:00:00", "01/01/2030 00:00:00", "2030-01-01T00:00:00Z\n" })
        {
            var person = await service.SignUpAsync();

            using var place = await admin.SendAsync(officer.Request(
                HttpMethod.Put, $"/v1/admin/legal-holds/users/{person.UserId}", new { reason = "Preservation order", reference = "case-17", endsAt }));

            Assert.True(place.StatusCode == HttpStatusCode.UnprocessableEntity, $"endsAt {endsAt}: {place.StatusCode}");
            var problem = await Json.ReadAsync(place);
            Assert.Equal("urn:prime-directive:problem:validation", (string?)problem["type"]);
            Assert.NotNull(problem["errors"]?["endsAt"]);
            Assert.DoesNotContain("2030", problem.ToJsonString(), StringComparison.Ordinal);
            using var hold = await admin.SendAsync(officer.Request(HttpMethod.Get, $"/v1/admin/legal-holds/users/{person.UserId}"));
            Assert.True(hold.StatusCode == HttpStatusCode.NotFound, $"endsAt {endsAt} placed a hold");
        }
    }

    [Fact]
    public async Task An_end_with_an_offset_is_that_instant()
    {
        var (admin, officer) = await OfficerAsync();
        foreach (var (endsAt, instant) in new[]
        {
            ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00+00:00"),
            ("2030-01-01T00:00:00+02:00", "2029-12-31T22:00:00+00:00"),
            ("2030-01-01T00:00:00.5-05:30", "2030-01-01T05:30:00.5+00:00"),
        })
        {
            var person = await service.SignUpAsync();

            using var place = await admin.SendAsync(officer.Request(
                HttpMethod.Put, $"/v1/admin/legal-holds/users/{person.UserId}", new { reason = "Preservation order", reference = "case-18", endsAt }));
            Assert.True(place.StatusCode == HttpStatusCode.OK, $"endsAt {endsAt}: {place.StatusCode}");

            using var read = await admin.SendAsync(officer.Request(HttpMethod.Get, $"/v1/admin/legal-holds/users/{person.UserId}"));
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            var held = (string)(await Json.ReadAsync(read))["endsAt"]!;
            Assert.Equal(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture), DateTimeOffset.Parse(held, CultureInfo.InvariantCulture));

            using var lift = await admin.SendAsync(officer.Request(HttpMethod.Delete, $"/v1/admin/legal-holds/users/{person.UserId}"));
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }
    }

    /// <summary>A gateway on which a fresh person is a privacy officer.</summary>
    private async Task<(HttpClient Admin, Person Officer)> OfficerAsync()
    {
        var officer = await service.SignUpAsync();
        var admin = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        return (admin, officer);
    }
}
