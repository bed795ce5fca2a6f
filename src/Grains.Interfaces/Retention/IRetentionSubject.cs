namespace PrimeDirective.Grains.Interfaces.Retention;

/// <summary>
/// A data subject whose retention work runs from its silo's retention queue, not inside the reminder tick that found it
/// due: the tick only queues it, so a wave of due reminders never waits (and times out) inside ticks.
/// </summary>
public interface IRetentionSubject : IGrainWithStringKey
{
    /// <summary>
    /// Destroys what has expired now and re-arms the reminder for what is left. Its time is bounded by the work, not by
    /// the queue: the queue calls it only when a slot is free, so the usual response timeout would be too short only
    /// under a database stall, hence the longer one.
    /// </summary>
    [ResponseTimeout("00:02:00")]
    Task RunRetentionAsync();
}
