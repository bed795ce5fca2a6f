using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The retention rule of a cluster's identifiers. They are kept while the cluster holds reports, is linked, held or being
/// erased, or discloses to someone who may need them. A cluster with telemetry disabled must still be recognised, to keep
/// discarding its reports and to know its operator; for that a salted hash of the bootstrap id is enough, so once nothing
/// else needs them the cluster id and the bootstrap id are destroyed (proven in the ledger) and only the hash stays,
/// for as long as telemetry stays disabled. A report admitted after telemetry is enabled again brings the ids back.
/// </summary>
public sealed partial class ClusterGrain
{
    private const string IdentifiersRuleText =
        "Kept while the cluster holds reports, is linked to an account, is under a legal hold or an erasure, or its data "
        + "was disclosed. Once none of that holds they are destroyed; with telemetry disabled only a salted hash of the "
        + "bootstrap id is kept, so that its reports keep being discarded and its operator recognised, while telemetry stays disabled.";

    private const string MinimizedRuleText =
        "Telemetry is disabled and nothing else is held: the cluster id and the bootstrap id were destroyed. Only a salted "
        + "hash of the bootstrap id is kept, to keep discarding this cluster's reports and to recognise its operator, while telemetry stays disabled.";

    /// <summary>Whether the raw ids were replaced by the hash (the state keeps an empty cluster id: a known cluster).</summary>
    private static bool IsMinimized(ClusterState current) => current.ClusterId is { Length: 0 };

    /// <summary>Whether only the telemetry opt-out still needs the cluster recognised; decided again on fresh state.</summary>
    private static bool IdentifiersUnneeded(ClusterState current) =>
        current.TelemetryDisabled && current.ClusterId is { Length: > 0 } && current.BootstrapId is not null &&
        current.EarliestReportExpiry is null && current.Items.Count == 0 && current.Links.Count == 0 && current.LegalHold is null &&
        current.AcceptedErasures.Count == 0 && current.UnconfirmedErasures.Count == 0 && current.DisclosureLedger.Count == 0;

    /// <summary>Destroys the raw ids, keeping the bootstrap id's hash; the destruction's proof goes to the ledger.</summary>
    private async Task MinimizeIdentifiersAsync()
    {
        var minimized = await UpdateAsync(now =>
        {
            var current = state.State;
            if (!IdentifiersUnneeded(current))
            {
                return (false, false);
            }

            var counts = IdentifierCounts();
            current.BootstrapDigest = DigestOf(current.BootstrapId!);
            current.ClusterId = string.Empty;
            current.BootstrapId = null;
            current.Audit.Add(new AuditEntry(now, "identifiers-destroyed", "telemetry disabled and nothing else held: only a salted hash of the bootstrap id is kept"));
            current.PendingProofs.Add(DestructionProof.New("cluster", "telemetry-disabled", counts, now));
            return (true, true);
        });
        if (minimized)
        {
            await CompleteDestructionAsync();
            LogMinimized(logger, Key);
        }
    }

    /// <summary>Whether <paramref name="presented"/> is the cluster's bootstrap id: the id itself, or, once minimized, its hash.</summary>
    private bool Recognises(ClusterState current, string? presented) =>
        SameSecret(current.BootstrapId, presented) ||
        (current.BootstrapDigest is { } digest && presented is not null && SameSecret(digest, DigestOf(presented)));

    /// <summary>SHA-256 of the bootstrap id, salted with the grain's pseudonymous key (the id is random: 122 bits).</summary>
    private string DigestOf(string bootstrapId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Key}\n{bootstrapId}")));

    private static RetentionRule IdentifiersRule(ClusterState current) =>
        new("identifiers", IsMinimized(current) ? MinimizedRuleText : IdentifiersRuleText, NextAt: null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey}: telemetry disabled and nothing else held, its ids destroyed (a hash stays)")]
    private static partial void LogMinimized(ILogger logger, string grainKey);
}
