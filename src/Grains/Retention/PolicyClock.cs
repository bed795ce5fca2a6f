namespace PrimeDirective.Grains.Retention;

/// <summary>
/// The clock the privacy rules read: collection times, expiries, code lifetimes, holds. Its own type, so a test can
/// move the policy's time (a <c>FakeTimeProvider</c> inside) while Orleans' own timers keep real time.
/// </summary>
public sealed class PolicyClock(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
