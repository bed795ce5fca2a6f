using System.Collections.Immutable;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// Durable marks of the owners that keep undelivered messages (by grain id only): what brings an owner back after a
/// crash, armed once per silo (the <see cref="OutboxSweep"/>) instead of a reminder per owner.
/// </summary>
public interface IOutboxMarks
{
    /// <summary>Marks <paramref name="owner"/>, due at <paramref name="dueAt"/>; durable once the task completes.</summary>
    Task MarkAsync(string region, GrainId owner, DateTimeOffset dueAt);

    /// <summary>Removes the mark of <paramref name="owner"/>, if any.</summary>
    Task UnmarkAsync(string region, GrainId owner);

    /// <summary>Up to <paramref name="limit"/> owners whose marks are due at <paramref name="now"/>, each moved to <paramref name="nextDue"/> (claimed: another silo's sweep skips them).</summary>
    Task<ImmutableArray<GrainId>> ClaimDueAsync(string region, DateTimeOffset now, DateTimeOffset nextDue, int limit);
}

/// <summary>An owner whose outbox the <see cref="OutboxSweep"/> brings back: it hands its messages again, drops pointless ones, and unmarks once idle.</summary>
[Alias("PrimeDirective.IOutboxRecheck")]
public interface IOutboxRecheck : IGrainWithStringKey
{
    /// <summary>The sweep found the owner's mark due.</summary>
    [Alias("RecheckOutbox")]
    Task RecheckOutboxAsync();
}
