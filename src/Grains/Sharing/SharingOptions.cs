namespace PrimeDirective.Grains.Sharing;

/// <summary>Disclosures and processors (configuration section <c>Sharing</c>).</summary>
public sealed class SharingOptions
{
    public const string SectionName = "Sharing";

    /// <summary>How often an unacknowledged push or erasure notice is retried, and an expired package looked at (never below Orleans' reminder minimum).</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often, at most, a package's reminder looks at the policy's clock before expiry: reminders keep real time, and
    /// a package must not outlive its expiry by more than this even when the policy's clock was moved.
    /// </summary>
    public TimeSpan ExpiryCheckPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a capability URL works before its package is destroyed.</summary>
    public TimeSpan PackageLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long one push may take before it counts as failed.</summary>
    public TimeSpan PushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after an officer replaces a processor's secret every message also carries a signature under the previous
    /// one, so that the processor can switch its verifier while messages are in flight; then the previous secret is destroyed.
    /// </summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long an unacknowledged push is retried before it is given up and its package destroyed undelivered.</summary>
    public TimeSpan PushLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an erasure notice to a processor is retried before it is abandoned (the notice, with the identities it carries, destroyed).</summary>
    public TimeSpan PropagationLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Keys that seal disclosure ledgers (HMAC-SHA256), base64 of 32+ bytes, by version: the highest seals new entries, every
    /// one verifies the entries it sealed. Version 1 defaults to a key derived from <c>Privacy:PseudonymKey</c>. Never stored in a database.
    /// </summary>
    public Dictionary<int, string> LedgerKeys { get; set; } = [];
}
