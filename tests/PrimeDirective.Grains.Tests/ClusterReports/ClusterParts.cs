using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Tests.Storage;

namespace PrimeDirective.Grains.Tests.ClusterReports;

/// <summary>A cluster's components wired as its grain wires them, over an in-memory state that can conflict and an in-memory report log.</summary>
internal sealed class ClusterParts
{
    public const string Region = "eu";

    public ClusterParts(int maxCrashReportsPerDay = 100)
    {
        Document = State.Document(Clock);
        var cache = new KeyCache(Microsoft.Extensions.Options.Options.Create(new KeyStoreOptions()), TimeProvider.System);
        KeyStore = new(new InMemoryKeyRows(), new KeyEncryptionKeys(Microsoft.Extensions.Options.Options.Create(new KeyStoreOptions()), mayDrawRandom: true), TimeProvider.System,
            new KeyMetrics(ComponentFakes.TestMeters.Factory, cache));
        Sealer = new(KeyStore, cache);
        Identifiers = new Grains.Clusters.ClusterIdentifiers(Document, Key);
        Consents = new Grains.Clusters.ClusterConsents(Document, NullLogger.Instance, Key);
        Reports = new Grains.Clusters.ClusterReports(Document, Log, Retention, Identifiers, Sealer, NullLogger.Instance, Region, Key);
        CrashReports = new Grains.Clusters.ClusterCrashReports(Document, Reports, Retention, new CrashReportOptions { MaxPerClusterPerDay = maxCrashReportsPerDay }, Sealer, NullLogger.Instance, Key);
        Notices = new Grains.Clusters.ClusterNotices(Document, Reports, new NoticeReach(Microsoft.Extensions.Options.Options.Create(new SharingOptions())));
    }

    public string Key { get; } = $"{Region}/{Guid.NewGuid():N}";

    public string ClusterId { get; } = Guid.NewGuid().ToString("D");

    public string BootstrapId { get; } = Guid.NewGuid().ToString("D");

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public ConflictingState<ClusterState> State { get; } = new();

    public RetentionOptions Retention { get; } = new();

    public InMemoryReportLog Log { get; } = new(new InMemoryDestructionLedger());

    /// <summary>The key store in memory and its cache: crash report texts are sealed under the cluster's key.</summary>
    public KeyStore KeyStore { get; }

    public Sealer Sealer { get; }

    public SubjectDocument<ClusterState> Document { get; }

    public Grains.Clusters.ClusterIdentifiers Identifiers { get; }

    public Grains.Clusters.ClusterConsents Consents { get; }

    public Grains.Clusters.ClusterReports Reports { get; }

    public Grains.Clusters.ClusterCrashReports CrashReports { get; }

    public Grains.Clusters.ClusterNotices Notices { get; }

    public ClusterReport Report(string? reportId = null, string? bootstrapId = null) => new(
        ClusterId, bootstrapId ?? BootstrapId, reportId ?? Guid.NewGuid().ToString("N"), "v20261201", "192.0.2.7",
        ImmutableDictionary<string, double>.Empty.Add("hosts", 3), ImmutableDictionary<string, double>.Empty,
        ImmutableDictionary<string, double>.Empty.Add("postgres", 1));

    /// <summary>Admits and stores one report as the grain does; <c>false</c> if it was discarded.</summary>
    public async Task<bool> StoreAsync(ClusterReport report)
    {
        var now = Grains.Clusters.ClusterReports.Stored(Clock.GetUtcNow());
        var items = Reports.ItemsOf(report, report.ReportId!, now);
        if (!await Reports.AdmitAsync(report, items.Min(item => item.ExpiresAt)!.Value))
        {
            return false;
        }

        await Reports.AppendAsync(report.ReportId!, items);
        return true;
    }

    /// <summary>How many report items the cluster's rows hold now.</summary>
    public async Task<int> RowsAsync() => (await Log.CountAsync(Region, Key)).Values.Sum();
}
