using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Transparency;

/// <summary>A grain's state whose events the transparency report counts: which of them it has counted.</summary>
public interface ITransparencyCountState
{
    /// <summary>The measures already recorded in the region's transparency log.</summary>
    List<string> Counted { get; }
}

/// <summary>
/// Counts what a grain's own state says happened (a request received, decided, completed): the state written with the
/// event is the event's record, so a crash before the count leaves it to be counted from the state on the next call or
/// activation; each event's id is derived from the grain's key and the measure, so a count repeated after a crash
/// counts once. The log gets the period, the measure, a kind and days: nothing that names the grain.
/// </summary>
public static class TransparencyCounts
{
    /// <summary>The event <paramref name="measure"/> of the grain keyed <paramref name="grainKey"/>, counted in the half-year of <paramref name="at"/>.</summary>
    public static TransparencyEvent Of(string grainKey, string measure, DateTimeOffset at, string kind, int? days = null) =>
        new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{grainKey}\n{measure}"))), HalfYears.Of(at), measure, kind, days);

    /// <summary>Whole days from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static int DaysBetween(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (int)(to - from).TotalDays);

    /// <summary>Records each of <paramref name="implied"/> not counted yet (idempotent), then marks them counted in one write.</summary>
    public static async Task CountAsync<TState>(
        IPersistentState<TState> state, ITransparencyLog log, string region, IEnumerable<TransparencyEvent> implied, Action onUnknownOutcome)
        where TState : ITransparencyCountState
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(log);
        var due = implied.Where(counted => !state.State.Counted.Contains(counted.Measure, StringComparer.Ordinal)).ToList();
        if (due.Count == 0)
        {
            return;
        }

        foreach (var counted in due)
        {
            await log.RecordAsync(region, counted);
        }

        await state.UpdateAsync(
            () =>
            {
                var fresh = due.Select(counted => counted.Measure).Except(state.State.Counted, StringComparer.Ordinal).ToList();
                state.State.Counted.AddRange(fresh);
                return (fresh.Count > 0, true);
            },
            onUnknownOutcome);
    }
}
