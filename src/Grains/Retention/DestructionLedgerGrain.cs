using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// One region's proof of destruction for one day, keyed <c>{region}/ledger/{yyyy-MM-dd}</c>: how many items of each
/// category were destroyed, from which kind of subject, and why. It outlives the subjects and names none of them.
/// </summary>
[RegionPlacement]
public sealed class DestructionLedgerGrain(
    [PersistentState("ledger", StorageNames.Subjects)] IPersistentState<DestructionLedgerState> state,
    PolicyClock time) : Grain, IDestructionLedgerGrain
{
    public static string KeyFor(string region, DateTimeOffset at) => LedgerKeys.For(region, at);

    public Task RecordAsync(string subjectKind, string why, ImmutableDictionary<DataCategory, int> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var now = time.GetUtcNow();
        return state.UpdateAsync(
            () =>
            {
                foreach (var (category, count) in counts.Where(pair => pair.Value > 0))
                {
                    var key = $"{subjectKind}|{category}|{why}";
                    var entries = state.State.Entries;
                    entries[key] = entries.TryGetValue(key, out var entry)
                        ? entry with { Count = entry.Count + count, LastAt = now }
                        : new DestructionEntry(subjectKind, category, why, count, now);
                }

                return (counts.Values.Any(count => count > 0), true);
            },
            DeactivateOnIdle);
    }

    public Task<ImmutableArray<DestructionEntry>> ReadAsync() =>
        Task.FromResult(state.State.Entries.Values.OrderBy(entry => entry.SubjectKind, StringComparer.Ordinal)
            .ThenBy(entry => entry.Category).ThenBy(entry => entry.Why, StringComparer.Ordinal).ToImmutableArray());
}

/// <summary>The stored state of a day's ledger.</summary>
public sealed class DestructionLedgerState
{
    public Dictionary<string, DestructionEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}
