namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// Orleans' membership clock (<c>TimeProviderNames.Membership</c>) with timestamps counted from the silo's start
/// instead of the machine's boot; everything else is the process's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Orleans 10.4's <c>Watchdog.Start</c> starts its platform thread before it stamps the component check. When that
/// thread's first check wins the race, it measures from timestamp 0, which for the system clock is the machine's boot:
/// the silo warns "Participant check thread has not completed for" its host's uptime, and records a health complaint,
/// at start. Counted from here, timestamp 0 is this silo's start, well within the check's period.
/// </remarks>
internal sealed class SiloStartClock(TimeProvider inner) : TimeProvider
{
    private readonly long _origin = inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long GetTimestamp() => inner.GetTimestamp() - _origin;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
