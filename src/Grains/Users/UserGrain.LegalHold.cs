using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Retention;
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
            LegalHolds.Place(state.State, hold, now);
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

        var waiting = await UpdateAsync(now => (true, LegalHolds.Lift(state.State, officerId, now)));
        await LegalHolds.ResumeAsync(GrainFactory, waiting);
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

        await UpdateAsync(now => (LegalHolds.Defer(state.State, requestId, now), true));
        return hold;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal hold on account {GrainKey}: placed={Placed}")]
    private static partial void LogHold(ILogger logger, string grainKey, bool placed);
}
