using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The rows of reports, in each subject's region database: appended by the subject's grain (the only writer), read in
/// pages, destroyed by indexed deletes whose counts go to the destruction ledger in the same transaction.
/// </summary>
public interface IReportLog
{
    /// <summary>
    /// Appends the items of one report (grouped with other appends into one database round trip); completes once they
    /// are durable. A report id the subject already has is not stored again: the answer says when it first was.
    /// </summary>
    Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items);

    /// <summary>Items not expired at <paramref name="now"/>, oldest first, after <paramref name="after"/> (a page's cursor).</summary>
    Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit);

    /// <summary>How many items the subject holds, by category.</summary>
    Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey);

    /// <summary>
    /// Deletes the items expired at <paramref name="now"/> (all of them with <paramref name="all"/>) and records the counts
    /// in the region's ledger in the same transaction; returns the counts and the earliest expiry left.
    /// </summary>
    Task<ReportDeletion> DeleteAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why);
}

/// <summary>What became of an append.</summary>
/// <param name="Stored">Whether the report was stored now (<c>false</c>: its id was already there).</param>
/// <param name="AcceptedAt">When the report was first stored.</param>
public sealed record ReportAppend(bool Stored, DateTimeOffset AcceptedAt);

/// <summary>What a deletion destroyed, by category, and the earliest expiry of what is left (<c>null</c>: nothing).</summary>
public sealed record ReportDeletion(ImmutableDictionary<DataCategory, int> Destroyed, DateTimeOffset? NextExpiry);

/// <summary>How report items are named: the item id is the report id and the category's wire name.</summary>
public static class ReportRows
{
    /// <summary>Items per page when a subject's reports are read.</summary>
    public const int PageSize = 500;

    public static string ItemId(string reportId, DataCategory category) => $"{reportId}:{WireNames.Of(category)}";
}
