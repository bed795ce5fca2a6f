using System.Collections.Immutable;

namespace PrimeDirective.Grains.Notices;

/// <summary>A subject a campaign's fan-out could not reach yet.</summary>
/// <param name="SubjectKey">Its pseudonymous grain key.</param>
/// <param name="Kind"><see cref="SubjectKinds.User"/> or <see cref="SubjectKinds.Cluster"/>.</param>
/// <param name="Reason">Why the last attempt failed (an exception's type: nothing personal).</param>
/// <param name="FirstFailedAt">When it first failed (policy's clock).</param>
public sealed record NoticeFailure(string SubjectKey, string Kind, string Reason, DateTimeOffset FirstFailedAt);

/// <summary>A region's failures of one campaign, summed.</summary>
/// <param name="Retrying">Subjects still retried.</param>
/// <param name="GaveUp">Subjects given up, by reason.</param>
/// <param name="GaveUpKeys">Their keys (pseudonymous), the first few hundred in key order.</param>
/// <param name="Settled">Subjects reached by a retry, by what they answered (<see cref="NoticeFailureLog.Outcome"/>).</param>
/// <param name="EmailsFailed">People who hold the notice but whose email could not be delivered.</param>
public sealed record NoticeFailureSummary(
    long Retrying, ImmutableDictionary<string, long> GaveUp, ImmutableArray<string> GaveUpKeys, ImmutableDictionary<string, long> Settled, long EmailsFailed)
{
    public static NoticeFailureSummary None { get; } =
        new(0, ImmutableDictionary<string, long>.Empty, [], ImmutableDictionary<string, long>.Empty, 0);
}

/// <summary>
/// Each region's record of what its notice campaigns could not do yet (V011, table <c>notice_failure</c>): subjects a
/// fan-out could not reach, retried until they answer or are given up, and emails that could not be delivered. Rows,
/// not grain state: a region whose database was down for a minute may fail a great many subjects at once.
/// </summary>
public interface INoticeFailureLog
{
    /// <summary>
    /// After a batch: lists its <paramref name="failed"/> subjects (nothing for one listed already) and forgets any listing
    /// of its <paramref name="reached"/> ones (a batch repeated after a crash counts them itself).
    /// </summary>
    Task RecordBatchAsync(string region, string campaignId, IReadOnlyCollection<NoticeFailure> failed, IReadOnlyCollection<string> reached);

    /// <summary>Up to <paramref name="limit"/> subjects still retried, after <paramref name="after"/> in key order.</summary>
    Task<ImmutableArray<NoticeFailure>> RetryingAsync(string region, string campaignId, string? after, int limit);

    /// <summary>A retried subject answered <paramref name="outcome"/>: no longer retried, counted by its outcome.</summary>
    Task SettleAsync(string region, string campaignId, string subjectKey, string outcome);

    /// <summary>A retried subject failed again; given up when <paramref name="giveUpAt"/> is set.</summary>
    Task FailAgainAsync(string region, string campaignId, string subjectKey, string reason, DateTimeOffset? giveUpAt);

    /// <summary>A person holds the notice but its email could not be delivered (once per person and campaign).</summary>
    Task RecordEmailFailureAsync(string region, string campaignId, string subjectKey, string reason, DateTimeOffset at);

    /// <summary>The region's failures of the campaign, summed (the given-up keys at most <paramref name="keyLimit"/>).</summary>
    Task<NoticeFailureSummary> SummarizeAsync(string region, string campaignId, int keyLimit);
}

/// <summary>The words of the failure log.</summary>
public static class NoticeFailureLog
{
    /// <summary>The subject could not be reached.</summary>
    public const string Delivery = "delivery";

    /// <summary>The person's email could not be delivered.</summary>
    public const string Email = "email";

    /// <summary>How a retried subject's answer is recorded.</summary>
    public static string Outcome(Interfaces.Notices.NoticeOutcome outcome) => outcome switch
    {
        Interfaces.Notices.NoticeOutcome.Notified => "notified",
        Interfaces.Notices.NoticeOutcome.NotifiedElsewhere => "notified-elsewhere",
        Interfaces.Notices.NoticeOutcome.ShownToOperator => "shown-to-operator",
        Interfaces.Notices.NoticeOutcome.Absent => "absent",
        _ => "not-affected",
    };
}
