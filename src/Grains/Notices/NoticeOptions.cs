namespace PrimeDirective.Grains.Notices;

/// <summary>How notices fan out (configuration section <c>Notices</c>).</summary>
public sealed class NoticeOptions
{
    public const string SectionName = "Notices";

    /// <summary>Subjects per batch: bounds one fan-out's memory and the calls it has in flight.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How often a fan-out's reminder brings it back after a crash (never below Orleans' reminder minimum).</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>A hook between a batch's deliveries and the write that records them; tests stop a silo there.</summary>
public interface INoticeFaults
{
    /// <summary>Called after batch number <paramref name="batch"/> (from 1, per activation) was delivered and before it is recorded.</summary>
    Task BeforeBatchRecordedAsync(string campaignId, int batch);
}

/// <summary>No faults.</summary>
public sealed class NoNoticeFaults : INoticeFaults
{
    public Task BeforeBatchRecordedAsync(string campaignId, int batch) => Task.CompletedTask;
}
