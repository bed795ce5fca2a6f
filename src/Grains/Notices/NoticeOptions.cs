namespace PrimeDirective.Grains.Notices;

/// <summary>How notices fan out (configuration section <c>Notices</c>).</summary>
public sealed class NoticeOptions
{
    public const string SectionName = "Notices";

    /// <summary>Subjects per batch: bounds one fan-out's memory and the calls it has in flight.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How often a fan-out's reminder brings it back after a crash, and retries the subjects it could not reach (never below Orleans' reminder minimum).</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a subject the fan-out could not reach is retried (policy's clock) before it is listed as failed in the campaign's view.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The shortest time between publishing a substantive policy version and its taking effect: everyone is told ahead.</summary>
    public TimeSpan MinimumNoticePeriod { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Hooks into a fan-out; tests stop a silo or fail a delivery there.</summary>
public interface INoticeFaults
{
    /// <summary>Called after batch number <paramref name="batch"/> (from 1, per activation) was delivered and before it is recorded.</summary>
    Task BeforeBatchRecordedAsync(string campaignId, int batch);

    /// <summary>
    /// Called once per delivery of a campaign to one subject (in a batch, or a retry), before its attempts; throwing fails
    /// that delivery as the subject being unreachable would.
    /// </summary>
    Task BeforeDeliveryAsync(string campaignId, string subjectKey);
}

/// <summary>No faults.</summary>
public sealed class NoNoticeFaults : INoticeFaults
{
    public Task BeforeBatchRecordedAsync(string campaignId, int batch) => Task.CompletedTask;

    public Task BeforeDeliveryAsync(string campaignId, string subjectKey) => Task.CompletedTask;
}
