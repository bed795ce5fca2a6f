using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>Erasure of a cluster: by its operator's request or a linked account's, deferred while a legal hold runs.</summary>
public sealed partial class ClusterGrain
{
    public async Task<bool> AcceptErasureAsync(string bootstrapProof, string requestId)
    {
        if (!Proves(bootstrapProof))
        {
            return false;
        }

        await UpdateAsync(_ =>
        {
            var accepted = state.State.AcceptedErasures;
            if (accepted.Contains(requestId))
            {
                return (false, true);
            }

            accepted.Add(requestId);
            return (true, true);
        });
        return true;
    }

    public Task<ErasureStep> EraseForRequestAsync(string requestId) =>
        EraseWhileAsync(() => state.RecordExists && state.State.AcceptedErasures.Contains(requestId), requestId);

    public Task<ErasureStep> EraseForLinkAsync(string userKey, string requestId) =>
        EraseWhileAsync(() => IsLinkedTo(userKey), requestId);

    public Task<ErasureReceipt?> PreviewErasureAsync(string requestId) => Task.FromResult(
        state.RecordExists ? new ErasureReceipt(requestId, Region, time.GetUtcNow(), ErasureCounts(), "cluster") : null);

    private ImmutableDictionary<DataCategory, int> ErasureCounts() =>
        IdentifierItems(state.State).Concat(state.State.Items)
            .GroupBy(item => item.Category)
            .ToImmutableDictionary(group => group.Key, group => group.Count());

    /// <summary>Deletes the cluster's row if <paramref name="allowed"/> holds (checked again after a write conflict), unless held.</summary>
    private async Task<ErasureStep> EraseWhileAsync(Func<bool> allowed, string requestId)
    {
        if (!allowed())
        {
            return ErasureStep.Nothing;
        }

        if (state.State.LegalHold is { } hold && ExpirySchedule.Defers(hold, time.GetUtcNow()))
        {
            await UpdateAsync(now => (LegalHolds.Defer(state.State, requestId, now), true));
            return ErasureStep.Held(hold);
        }

        var counts = ErasureCounts();

        // DeleteStateOnClear is on for subject storage: the row itself goes, not just its payload.
        if (!await state.DeleteAsync(allowed, DeactivateOnIdle))
        {
            return ErasureStep.Nothing;
        }

        await DisarmRetentionAsync();
        await LedgerAsync("request", counts);
        DeactivateOnIdle();
        LogErased(logger, this.GetPrimaryKeyString());
        return new ErasureStep(new ErasureReceipt(requestId, Region, time.GetUtcNow(), counts, "cluster"), null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} erased")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
