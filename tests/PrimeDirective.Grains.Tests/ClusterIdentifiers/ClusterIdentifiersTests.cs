using PrimeDirective.Grains.Tests.ClusterReports;

namespace PrimeDirective.Grains.Tests.ClusterIdentifiers;

public sealed class ClusterIdentifiersTests
{
    /// <summary>A cluster whose operator disabled telemetry and purged: only the opt-out is left to honour.</summary>
    private static async Task<ClusterParts> OptedOutAsync()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        await parts.Consents.SetTelemetryAsync(disabled: true, purge: true);
        await parts.Reports.PurgeAsync(parts.Clock.GetUtcNow());
        return parts;
    }

    [Fact]
    public async Task Minimized_ids_leave_one_proof_and_only_a_hash_that_still_recognises_the_operator()
    {
        var parts = await OptedOutAsync();
        Assert.True(await parts.Identifiers.MinimizeAsync());
        Assert.False(await parts.Identifiers.MinimizeAsync());

        var stored = parts.State.Stored;
        Assert.Equal(string.Empty, stored.ClusterId);
        Assert.Null(stored.BootstrapId);
        Assert.DoesNotContain(parts.BootstrapId, System.Text.Json.JsonSerializer.Serialize(stored), StringComparison.Ordinal);
        Assert.DoesNotContain(parts.ClusterId, System.Text.Json.JsonSerializer.Serialize(stored), StringComparison.Ordinal);
        Assert.Single(stored.PendingProofs);
        Assert.Empty(Grains.Clusters.ClusterIdentifiers.Items(stored));
        Assert.True(parts.Identifiers.Proves(parts.BootstrapId));
        Assert.False(parts.Identifiers.Proves(Guid.NewGuid().ToString("D")));
        Assert.False(await parts.StoreAsync(parts.Report()));
    }

    [Fact]
    public async Task Minimizing_after_a_conflict_with_a_link_made_elsewhere_keeps_the_ids()
    {
        var parts = await OptedOutAsync();
        parts.State.ConflictOnNextWrite(other => other.Links["eu/person"] = new(parts.Clock.GetUtcNow(), true));

        Assert.False(await parts.Identifiers.MinimizeAsync());
        Assert.Equal(1, parts.State.Conflicts);
        var stored = parts.State.Stored;
        Assert.Equal(parts.ClusterId, stored.ClusterId);
        Assert.Equal(parts.BootstrapId, stored.BootstrapId);
        Assert.Empty(stored.PendingProofs);
    }

    [Fact]
    public async Task Ids_still_needed_are_not_minimized_and_nothing_is_written()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        await parts.Consents.SetTelemetryAsync(disabled: true, purge: false);
        var writes = parts.State.Writes;

        // Reports are still held: the ids go with them, not before.
        Assert.False(await parts.Identifiers.MinimizeAsync());
        Assert.Equal(writes, parts.State.Writes);
        Assert.Equal(2, Grains.Clusters.ClusterIdentifiers.Items(parts.State.Stored).Count());
    }
}
