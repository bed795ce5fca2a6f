using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PrimeDirective.Gateway.Tracking;

namespace PrimeDirective.Grains.Tests.Tracking;

/// <summary>
/// When a browser's Do Not Track or Global Privacy Control signal is on: a field line or comma-separated member that is
/// exactly <c>1</c> (surrounding whitespace aside); anything else is off.
/// </summary>
public sealed class TrackingSignalTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData(" 1 ", true)]
    [InlineData("\t1", true)]
    [InlineData("0, 1", true)]
    [InlineData("1,1", true)]
    [InlineData("0", false)]
    [InlineData("01", false)]
    [InlineData("true", false)]
    [InlineData("1.0", false)]
    [InlineData("", false)]
    [InlineData("yes", false)]
    public void A_signal_is_on_only_for_exactly_1(string value, bool on)
    {
        var (dnt, gpc) = (Request(TrackingSignals.DoNotTrackHeader, value), Request(TrackingSignals.GlobalPrivacyControlHeader, value));

        Assert.Equal(on, TrackingSignals.DoNotTrack(dnt));
        Assert.Equal(on, TrackingSignals.GlobalPrivacyControl(gpc));
        Assert.Equal(on, TrackingSignals.OptedOut(dnt));
        Assert.Equal(on, TrackingSignals.OptedOut(gpc));
        Assert.Equal(on ? "N" : "T", TrackingSignals.Status(gpc));
    }

    [Fact]
    public void A_repeated_field_line_with_a_1_is_on()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[TrackingSignals.GlobalPrivacyControlHeader] = new StringValues(["0", "1"]);

        Assert.True(TrackingSignals.GlobalPrivacyControl(request));
        Assert.False(TrackingSignals.DoNotTrack(request));
    }

    [Fact]
    public void Without_either_header_the_person_is_tracked_only_as_the_policy_allows()
    {
        var request = new DefaultHttpContext().Request;

        Assert.False(TrackingSignals.OptedOut(request));
        Assert.Equal("T", TrackingSignals.Status(request));
    }

    [Fact]
    public void One_signal_does_not_turn_on_the_other()
    {
        var dnt = Request(TrackingSignals.DoNotTrackHeader, "1");

        Assert.True(TrackingSignals.DoNotTrack(dnt));
        Assert.False(TrackingSignals.GlobalPrivacyControl(dnt));
    }

    private static HttpRequest Request(string header, string value)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[header] = value;
        return request;
    }
}
