namespace PrimeDirective.Grains.Requests;

/// <summary>Privacy request workflows (configuration section <c>Requests</c>).</summary>
public sealed class RequestOptions
{
    public const string SectionName = "Requests";

    /// <summary>How often an unfinished request is resumed by its reminder (never below Orleans' reminder minimum).</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
