using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// A cluster's identifiers (owns <see cref="ClusterState.ClusterId"/>, <see cref="ClusterState.BootstrapId"/>,
/// <see cref="ClusterState.BootstrapDigest"/>, <see cref="ClusterState.FirstSeenAt"/>) and their retention rule. They are
/// kept while the cluster holds reports, is linked, held or being erased, or discloses to someone who may need them. A
/// cluster with telemetry disabled must still be recognised, to keep discarding its reports and to know its operator;
/// for that a salted hash of the bootstrap id is enough, so once nothing else needs them the cluster id and the bootstrap
/// id are destroyed (proven in the ledger) and only the hash stays, for as long as telemetry stays disabled. A report
/// admitted after telemetry is enabled again brings the ids back.
/// </summary>
/// <param name="document">The cluster's state.</param>
/// <param name="key">The cluster's grain key: the salt of the bootstrap id's hash.</param>
public sealed class ClusterIdentifiers(SubjectDocument<ClusterState> document, string key)
{
    private const string IdentifiersRuleText =
        "Kept while the cluster holds reports, is linked to an account, is under a legal hold or an erasure, or its data "
        + "was disclosed. Once none of that holds they are destroyed; with telemetry disabled only a salted hash of the "
        + "bootstrap id is kept, so that its reports keep being discarded and its operator recognised, while telemetry stays disabled.";

    private const string MinimizedRuleText =
        "Telemetry is disabled and nothing else is held: the cluster id and the bootstrap id were destroyed. Only a salted "
        + "hash of the bootstrap id is kept, to keep discarding this cluster's reports and to recognise its operator, while telemetry stays disabled.";

    /// <summary>Whether the cluster is known and <paramref name="bootstrapProof"/> is its bootstrap id (or, once minimized, hashes to it).</summary>
    public bool Proves(string? bootstrapProof) =>
        document.RecordExists && document.State.ClusterId is not null && Recognises(document.State, bootstrapProof);

    /// <summary>Whether <paramref name="presented"/> is the cluster's bootstrap id: the id itself, or, once minimized, its hash.</summary>
    public bool Recognises(ClusterState current, string? presented)
    {
        ArgumentNullException.ThrowIfNull(current);
        return SameSecret(current.BootstrapId, presented) ||
            (current.BootstrapDigest is { } digest && presented is not null && SameSecret(digest, DigestOf(presented)));
    }

    /// <summary>
    /// Whether a report carrying <paramref name="presented"/> comes from the cluster: its bootstrap id, or the one the
    /// operator replaced while its grace period runs at <paramref name="now"/>.
    /// </summary>
    public bool RecognisesReport(ClusterState current, string? presented, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        return Recognises(current, presented) ||
            (current.PreviousProofUntil > now && current.PreviousBootstrapDigest is { } previous && presented is not null &&
                SameSecret(previous, DigestOf(presented)));
    }

    /// <summary>
    /// Sets the bootstrap id the operator chose, decided on fresh state (again after a conflict) with the current one as
    /// proof. The old one is kept only as its hash, recognised for reports until the grace period ends; a minimized
    /// cluster keeps only the new one's hash too.
    /// </summary>
    /// <returns>The end of the grace period, or <c>null</c> if unknown or the proof does not match.</returns>
    public Task<DateTimeOffset?> RotateAsync(string bootstrapProof, string newProof, TimeSpan gracePeriod) =>
        document.UpdateAsync<DateTimeOffset?>(now =>
        {
            if (!Proves(bootstrapProof))
            {
                return (false, null);
            }

            var current = document.State;
            var until = now + gracePeriod;
            current.PreviousBootstrapDigest = DigestOf(bootstrapProof);
            current.PreviousProofUntil = until;
            if (current.BootstrapId is null)
            {
                current.BootstrapDigest = DigestOf(newProof);
            }
            else
            {
                current.BootstrapId = newProof;
                current.BootstrapDigest = null;
            }

            current.Audit.Add(new AuditEntry(now, "bootstrap-id-replaced", $"the operator set a new bootstrap id; reports with the old one are kept until {until:u}"));
            return (true, until);
        });

    /// <summary>
    /// Destroys the raw ids if only the telemetry opt-out still needs the cluster recognised (decided again on fresh state
    /// after a conflict), keeping the bootstrap id's hash; the destruction's proof is left pending in the same write.
    /// </summary>
    /// <returns>Whether the ids were destroyed now.</returns>
    public Task<bool> MinimizeAsync() =>
        document.UpdateAsync(now =>
        {
            var current = document.State;
            if (!Unneeded(current))
            {
                return (false, false);
            }

            var counts = Counts(current);
            current.BootstrapDigest = DigestOf(current.BootstrapId!);
            current.ClusterId = string.Empty;
            current.BootstrapId = null;
            current.Audit.Add(new AuditEntry(now, "identifiers-destroyed", "telemetry disabled and nothing else held: only a salted hash of the bootstrap id is kept"));
            current.PendingProofs.Add(DestructionProof.New("cluster", "telemetry-disabled", counts, now));
            return (true, true);
        });

    /// <summary>Whether only the telemetry opt-out still needs the cluster recognised.</summary>
    public static bool Unneeded(ClusterState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.TelemetryDisabled && current.ClusterId is { Length: > 0 } && current.BootstrapId is not null &&
            current.EarliestReportExpiry is null && current.Items.Count == 0 && current.Links.Count == 0 && current.LegalHold is null &&
            current.AcceptedErasures.Count == 0 && current.UnconfirmedErasures.Count == 0 && current.DisclosureLedger.Count == 0;
    }

    /// <summary>The identifiers we hold, shown as items so access requests list them too.</summary>
    public static IEnumerable<HeldItem> Items(ClusterState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (string.IsNullOrEmpty(current.ClusterId) || current.FirstSeenAt is not { } firstSeen)
        {
            yield break;
        }

        HeldItem Identifier(string name, string value) => new(
            name, null, DataCategory.Identifier, DataSource.Automatic, DataPurpose.UsageStatistics, firstSeen, null, true, value,
            ImmutableDictionary<string, double>.Empty);

        yield return Identifier("cluster-id", current.ClusterId);
        if (current.BootstrapId is not null)
        {
            yield return Identifier("bootstrap-id", current.BootstrapId);
        }
    }

    /// <summary>The identifiers held, counted by category (for receipts and proofs of destruction).</summary>
    public static ImmutableDictionary<DataCategory, int> Counts(ClusterState current) =>
        Items(current).GroupBy(item => item.Category).ToImmutableDictionary(group => group.Key, group => group.Count());

    /// <summary>The identifiers' retention rule as the cluster's record states it.</summary>
    public static RetentionRule Rule(ClusterState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new("identifiers", current.ClusterId is { Length: 0 } ? MinimizedRuleText : IdentifiersRuleText, NextAt: null);
    }

    /// <summary>The cluster as whoever proves they run it (or linked it) sees it; its report items come by page.</summary>
    public static ClusterRecord Record(ClusterState current, string region, ImmutableArray<Notification> notices)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new ClusterRecord(
            current.ClusterId!, region, current.FirstSeenAt!.Value, ClusterConsents.Setting(current), [.. Items(current)],
            [.. BoundedHistory.ShowAudit(current.Audit, current.EarlierAudit)], current.LegalHold, notices, [Rule(current)]);
    }

    /// <summary>SHA-256 of the bootstrap id, salted with the grain's pseudonymous key (the id is random: 122 bits).</summary>
    private string DigestOf(string bootstrapId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{key}\n{bootstrapId}")));

    private static bool SameSecret(string? expected, string? presented) =>
        expected is not null && presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
