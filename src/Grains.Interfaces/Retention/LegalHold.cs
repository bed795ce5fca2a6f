using Orleans.Concurrency;
using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Retention;

/// <summary>
/// A legal hold on a subject: while it runs, neither expiry nor erasure destroys the subject's data
/// (policy: "... unless we are required by law to keep it longer").
/// </summary>
/// <param name="Reason">Why the law requires keeping the data.</param>
/// <param name="Reference">The legal matter's reference (case or request number).</param>
/// <param name="PlacedAt">When the hold was placed.</param>
/// <param name="EndsAt">When it ends by itself; <c>null</c> until an officer lifts it.</param>
/// <param name="PlacedBy">The officer who placed it.</param>
/// <param name="LegalRequestId">The legal request that placed it, if one did.</param>
/// <param name="SecretUntil">
/// Until when the person must not learn of it (that request's gag): the hold still defers, but nothing of it shows in
/// the person's views before then.
/// </param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalHold")]
public sealed record LegalHold(
    [property: Id(0), UserContent] string Reason,
    [property: Id(1), UserContent] string Reference,
    [property: Id(2)] DateTimeOffset PlacedAt,
    [property: Id(3)] DateTimeOffset? EndsAt,
    [property: Id(4)] string PlacedBy,
    [property: Id(5)] string? LegalRequestId = null,
    [property: Id(6)] DateTimeOffset? SecretUntil = null)
{
    /// <summary>Whether the person must not learn of the hold at <paramref name="now"/>.</summary>
    public bool IsSecretAt(DateTimeOffset now) => SecretUntil is { } until && until > now;

    /// <summary>Whether the hold still defers destruction at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => EndsAt is not { } end || end > now;
}

/// <summary>What an erasure step did: destroyed (with its receipt), found nothing, or was deferred by a legal hold.</summary>
/// <param name="Receipt">What was destroyed; <c>null</c> if nothing was (already gone, or held).</param>
/// <param name="HeldUntil">Set when a legal hold deferred the step: when the hold ends, or <see cref="DateTimeOffset.MaxValue"/> until lifted.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ErasureStep")]
public sealed record ErasureStep(
    [property: Id(0)] ErasureReceipt? Receipt,
    [property: Id(1)] DateTimeOffset? HeldUntil)
{
    /// <summary>The step's answer for a subject that holds nothing (any more).</summary>
    public static ErasureStep Nothing { get; } = new(null, null);

    /// <summary>The step's answer when <paramref name="hold"/> defers it.</summary>
    public static ErasureStep Held(LegalHold hold) => new(null, hold?.EndsAt ?? DateTimeOffset.MaxValue);
}

/// <summary>The legal hold commands every subject grain answers to (officers only, through <c>/v1/admin/</c>).</summary>
[Alias("PrimeDirective.ILegalHoldSubject")]
public interface ILegalHoldSubject : IGrainWithStringKey
{
    /// <summary>Places (or replaces) the subject's hold; <c>false</c> if the subject is unknown.</summary>
    [Alias("PlaceLegalHold")]
    Task<bool> PlaceLegalHoldAsync(LegalHold hold);

    /// <summary>Lifts the subject's hold; expiry and waiting erasures resume at once. <c>false</c> if there was none.</summary>
    [Alias("LiftLegalHold")]
    Task<bool> LiftLegalHoldAsync(string officerId);

    /// <summary>The hold in force, if any.</summary>
    [Alias("GetLegalHold")]
    [ReadOnly]
    Task<LegalHold?> GetLegalHoldAsync();
}

/// <summary>Per-region, per-day proof that destruction happened: counts by subject kind, category and why. Nothing personal.</summary>
[Alias("PrimeDirective.IDestructionLedgerGrain")]
public interface IDestructionLedgerGrain : IGrainWithStringKey
{
    /// <summary>The day's entries.</summary>
    [Alias("Read")]
    Task<ImmutableArray<DestructionEntry>> ReadAsync();
}

/// <summary>How many items of a category were destroyed on a day, from which kind of subject, and why.</summary>
/// <param name="SubjectKind"><c>cluster</c>, <c>account</c>, <c>email-index</c>.</param>
/// <param name="Category">The data category.</param>
/// <param name="Why"><c>expiry</c> or <c>request</c>.</param>
/// <param name="Count">How many items.</param>
/// <param name="LastAt">When the last of them was destroyed.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.DestructionEntry")]
public sealed record DestructionEntry(
    [property: Id(0)] string SubjectKind,
    [property: Id(1)] DataCategory Category,
    [property: Id(2)] string Why,
    [property: Id(3)] int Count,
    [property: Id(4)] DateTimeOffset LastAt);
