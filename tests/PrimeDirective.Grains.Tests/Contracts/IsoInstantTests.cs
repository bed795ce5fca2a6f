using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Tests.Contracts;

/// <summary>
/// The one reader of instants people and officers type: ISO 8601 with an explicit offset names an instant; anything
/// else (no offset, which the server's zone would silently complete, a date alone, another format) is no instant.
/// </summary>
public sealed class IsoInstantTests
{
    [Theory]
    [InlineData("2027-01-31T00:00:00Z", "2027-01-31T00:00:00+00:00")]
    [InlineData("2027-01-31T02:00:00+02:00", "2027-01-31T00:00:00+00:00")]
    [InlineData("2027-01-30T19:30-04:30", "2027-01-31T00:00:00+00:00")]
    [InlineData("2027-01-31T00:00:00.1234567Z", "2027-01-31T00:00:00.1234567+00:00")]
    public void An_instant_with_an_offset_is_read_as_that_instant(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), IsoInstant.Parse(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2027-01-31T00:00:00")]
    [InlineData("2027-01-31")]
    [InlineData("31/01/2027 00:00 +00:00")]
    [InlineData(" 2027-01-31T00:00:00Z")]
    [InlineData("2027-01-31T00:00:00Z\n")]
    [InlineData("2027-02-30T00:00:00Z")]
    [InlineData("2027-01-31T00:00:00.12345678Z")]
    [InlineData("2027-01-31T00:00:00+2:00")]
    public void Anything_else_is_no_instant(string? text) => Assert.Null(IsoInstant.Parse(text));
}
