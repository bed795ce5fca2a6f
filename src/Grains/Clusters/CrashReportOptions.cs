namespace PrimeDirective.Grains.Clusters;

/// <summary>Crash reports (configuration section <c>CrashReports</c>).</summary>
public sealed class CrashReportOptions
{
    public const string SectionName = "CrashReports";

    /// <summary>
    /// Crash reports one cluster may have kept per UTC day; later ones that day are acknowledged with <c>kept: false</c> and
    /// nothing is stored (Flynn retries every error, so a cluster is never answered one).
    /// </summary>
    public int MaxPerClusterPerDay { get; set; } = 50;
}

/// <summary>Why a crash report may be kept (<see cref="Interfaces.Privacy.HeldItem.Basis"/>).</summary>
public static class CrashReportBases
{
    /// <summary>The operator of a cluster nobody linked chose to send it.</summary>
    public const string Operator = "operator";

    /// <summary>Every person linked to the cluster granted <c>crash-reports</c> consent.</summary>
    public const string Consent = "consent";
}
