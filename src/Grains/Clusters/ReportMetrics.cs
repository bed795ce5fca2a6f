using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Clusters;

/// <summary>Flynn's reports as a cluster grain answers them: kept (or a duplicate of one kept), or acknowledged and discarded.</summary>
public sealed class ReportMetrics
{
    /// <summary>Why a report was acknowledged and nothing of it kept.</summary>
    public static class Reasons
    {
        /// <summary>The cluster turned telemetry off, or a linked account withdrew usage statistics.</summary>
        public const string Withheld = "withheld";

        /// <summary>The report's bootstrap id is not (or no longer) the cluster's.</summary>
        public const string NotRecognised = "not-recognised";
    }

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _discarded;

    public ReportMetrics(IMeterFactory meters)
    {
        var meter = PrimeDirectiveMeter.Create(meters);
        _accepted = meter.CreateCounter<long>("prime_directive.reports.accepted", "{report}", "Reports acknowledged and kept durably (outcome: stored, or duplicate of one already stored).");
        _discarded = meter.CreateCounter<long>("prime_directive.reports.discarded", "{report}", "Reports acknowledged and discarded, nothing of them kept (reason: withheld, not-recognised).");
    }

    /// <summary>A report was kept (<paramref name="duplicate"/>: it had been already).</summary>
    public void Accepted(string region, bool duplicate) =>
        _accepted.Add(1, new("region", region), new("outcome", duplicate ? "duplicate" : "stored"));

    /// <summary>A report was discarded for <paramref name="reason"/> (one of <see cref="Reasons"/>).</summary>
    public void Discarded(string region, string reason) =>
        _discarded.Add(1, new("region", region), new("reason", reason));
}
