using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Users;

/// <summary>Legal holds on an account: while one runs, the account's erasure waits; lifting it resumes waiting erasures.</summary>
public sealed partial class UserGrain
{
    public async Task<bool> PlaceLegalHoldAsync(LegalHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        if (state.State.UserId is null)
        {
            return false;
        }

        await UpdateAsync(now =>
        {
            state.State.LegalHold = hold;
            state.State.Audit.Add(new AuditEntry(now, "legal-hold-placed", ClusterGrain.HoldReason(hold)));
            return (true, true);
        });
        LogHold(logger, Key, true);
        return true;
    }

    public async Task<bool> LiftLegalHoldAsync(string officerId)
    {
        if (state.State.LegalHold is null)
        {
            return false;
        }

        var waiting = await UpdateAsync(now =>
        {
            var current = state.State;
            current.LegalHold = null;
            current.Audit.Add(new AuditEntry(now, "legal-hold-lifted", $"by officer {officerId}"));
            var requests = current.WaitingErasures.ToList();
            current.WaitingErasures.Clear();
            return (true, requests);
        });
        await ClusterGrain.ResumeAsync(GrainFactory, waiting);
        LogHold(logger, Key, false);
        return true;
    }

    public Task<LegalHold?> GetLegalHoldAsync() => Task.FromResult(state.State.LegalHold);

    public async Task<LegalHold?> AwaitHoldAsync(string requestId)
    {
        if (state.State.LegalHold is not { } hold || !ExpirySchedule.Defers(hold, time.GetUtcNow()))
        {
            return null;
        }

        await UpdateAsync(now =>
        {
            var current = state.State;
            if (current.WaitingErasures.Contains(requestId))
            {
                return (false, true);
            }

            current.WaitingErasures.Add(requestId);
            current.Audit.Add(new AuditEntry(now, "erasure-deferred", $"request {requestId}: legal hold"));
            return (true, true);
        });
        return hold;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal hold on account {GrainKey}: placed={Placed}")]
    private static partial void LogHold(ILogger logger, string grainKey, bool placed);
}
