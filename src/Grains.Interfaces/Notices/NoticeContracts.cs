using System.Collections.Immutable;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Notices;

/// <summary>What a notice campaign is about.</summary>
public enum NoticeKind
{
    /// <summary>A security breach: only subjects who held data of its categories during its window, in its regions.</summary>
    Breach = 0,

    /// <summary>A substantive change of the policy: every account, and the operator of every cluster nobody linked.</summary>
    PolicyChange = 1,
}

/// <summary>A notice to many subjects, fanned out region by region.</summary>
/// <param name="Id">The campaign's id (a breach id, or <c>policy-{version}</c>).</param>
/// <param name="Kind">Breach or policy change.</param>
/// <param name="Regions">Regions whose subjects are examined.</param>
/// <param name="Categories">A breach's data categories (empty for a policy change).</param>
/// <param name="From">Start of the exposure window (breach).</param>
/// <param name="To">End of the exposure window (breach).</param>
/// <param name="Title">The notice's subject line.</param>
/// <param name="Text">The notice's text (description and advice, or the change's summary).</param>
/// <param name="DeclaredAt">When it was declared or published.</param>
/// <param name="Description">A breach's description, as the officer gave it.</param>
/// <param name="Advice">A breach's advice to people, as the officer gave it.</param>
/// <param name="AwareAt">When we became aware of a breach (its 72-hour clock, GDPR Art. 33, runs from here); <c>null</c> for a policy change.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.NoticeCampaign")]
public sealed record NoticeCampaign(
    [property: Id(0)] string Id,
    [property: Id(1)] NoticeKind Kind,
    [property: Id(2)] ImmutableArray<string> Regions,
    [property: Id(3)] ImmutableArray<DataCategory> Categories,
    [property: Id(4)] DateTimeOffset? From,
    [property: Id(5)] DateTimeOffset? To,
    [property: Id(6)] string Title,
    [property: Id(7)] string Text,
    [property: Id(8)] DateTimeOffset DeclaredAt,
    [property: Id(9)] string? Description = null,
    [property: Id(10)] string? Advice = null,
    [property: Id(11)] DateTimeOffset? AwareAt = null)
{
    /// <summary>How long after awareness the supervisory authority must be notified of a breach (GDPR Art. 33).</summary>
    public static readonly TimeSpan AuthorityDeadline = TimeSpan.FromHours(72);

    /// <summary>When the supervisory authority must have been notified (a campaign declared before awareness was recorded counts from its declaration).</summary>
    public DateTimeOffset Deadline => (AwareAt ?? DeclaredAt) + AuthorityDeadline;

    /// <summary>Whether a subject that held <paramref name="category"/> from <paramref name="heldFrom"/> to <paramref name="heldUntil"/> is affected.</summary>
    public bool Covers(DataCategory category, DateTimeOffset heldFrom, DateTimeOffset? heldUntil) =>
        Kind == NoticeKind.PolicyChange ||
        (Categories.Contains(category) && heldFrom <= (To ?? DateTimeOffset.MaxValue) && (heldUntil ?? DateTimeOffset.MaxValue) > (From ?? DateTimeOffset.MinValue));
}

/// <summary>What one subject made of a notice.</summary>
public enum NoticeOutcome
{
    /// <summary>Not affected: nothing recorded.</summary>
    NotAffected = 0,

    /// <summary>A person holds the notice (recorded now, or by an earlier attempt of the same caller) and its email is queued.</summary>
    Notified = 1,

    /// <summary>The person already held it through another path (one of their clusters): counted once, there.</summary>
    NotifiedElsewhere = 2,

    /// <summary>A cluster with no linked person shows it to its operator.</summary>
    ShownToOperator = 3,

    /// <summary>No such subject any more (erased, or never created): skipped.</summary>
    Absent = 4,
}

/// <summary>A subject that can receive notices (people and clusters).</summary>
[Alias("PrimeDirective.INoticeRecipient")]
public interface INoticeRecipient : IGrainWithStringKey
{
    /// <summary>
    /// Decides, writing nothing, whether the person takes the notice reached via <paramref name="via"/> (this subject, or
    /// the cluster that led to this person): a final outcome, or the notice and its email sealed under the person's data
    /// key, for the fan-out to append with the rest of its batch (table <c>person_notice</c>).
    /// </summary>
    [Alias("Decide")]
    [ReadOnly]
    Task<NoticeDecision> DecideNoticeAsync(NoticeCampaign campaign, string via);
}

/// <summary>A person's answer to a notice: final (<see cref="Outcome"/>), or the sealed notice to append.</summary>
/// <param name="Outcome">Final: absent, not affected, or already held in the account's state (notified here or elsewhere); <c>null</c>: append.</param>
/// <param name="Kind">The notice's kind, as shown to the person.</param>
/// <param name="At">When it was decided (policy's clock).</param>
/// <param name="Body">Title and text, sealed under the person's data key.</param>
/// <param name="Email">The email, sealed under the person's data key.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.NoticeDecision")]
public sealed record NoticeDecision(
    [property: Id(0)] NoticeOutcome? Outcome,
    [property: Id(1)] string Kind,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] ImmutableArray<byte> Body,
    [property: Id(4)] ImmutableArray<byte> Email)
{
    /// <summary>A final answer: nothing to append.</summary>
    public static NoticeDecision Final(NoticeOutcome outcome) => new(outcome, string.Empty, default, [], []);
}

/// <summary>Progress of a campaign's fan-out (one region, or summed over its regions).</summary>
/// <param name="Subjects">Subjects in the regions' lists when the fan-out started there.</param>
/// <param name="Examined">Subjects examined so far.</param>
/// <param name="Affected">Affected so far (notified, shown to an operator, still retried, or failed).</param>
/// <param name="Notified">People who hold the notice (and whose email is queued, delivered or counted in <paramref name="EmailsFailed"/>).</param>
/// <param name="ShownToOperators">Clusters without a linked person that show it.</param>
/// <param name="Skipped">Subjects gone (erased) by the time they were reached.</param>
/// <param name="Pending">Subjects not yet examined.</param>
/// <param name="Failed">Subjects that could not be reached within <c>Notices:GiveUpAfter</c>, by reason.</param>
/// <param name="Done">Whether every region finished (examined every subject, and nobody is retried any more).</param>
/// <param name="Retrying">Subjects that could not be reached yet: retried by reminder.</param>
/// <param name="FailedSubjects">The pseudonymous keys of the subjects counted in <paramref name="Failed"/> (the first few hundred per region).</param>
/// <param name="EmailsFailed">People who hold the notice but whose email could not be delivered (its lifetime passed, or it was displaced).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.NoticeProgress")]
public sealed record NoticeProgress(
    [property: Id(0)] long Subjects,
    [property: Id(1)] long Examined,
    [property: Id(2)] long Affected,
    [property: Id(3)] long Notified,
    [property: Id(4)] long ShownToOperators,
    [property: Id(5)] long Skipped,
    [property: Id(6)] long Pending,
    [property: Id(7)] ImmutableDictionary<string, long> Failed,
    [property: Id(8)] bool Done,
    [property: Id(9)] long Retrying,
    [property: Id(10)] ImmutableArray<string> FailedSubjects,
    [property: Id(11)] long EmailsFailed)
{
    /// <summary>Nothing yet.</summary>
    public static NoticeProgress None { get; } = new(0, 0, 0, 0, 0, 0, 0, ImmutableDictionary<string, long>.Empty, false, 0, [], 0);

    /// <summary>The sum of two regions' progress.</summary>
    public NoticeProgress Add(NoticeProgress other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var failed = Failed;
        foreach (var (reason, count) in other.Failed)
        {
            failed = failed.SetItem(reason, failed.GetValueOrDefault(reason) + count);
        }

        return new(Subjects + other.Subjects, Examined + other.Examined, Affected + other.Affected, Notified + other.Notified,
            ShownToOperators + other.ShownToOperators, Skipped + other.Skipped, Pending + other.Pending, failed, Done && other.Done,
            Retrying + other.Retrying, [.. FailedSubjects, .. other.FailedSubjects], EmailsFailed + other.EmailsFailed);
    }
}

/// <summary>A breach's notification of the supervisory authority, as an officer recorded it.</summary>
/// <param name="Authority">The supervisory authority notified.</param>
/// <param name="Reference">The authority's reference (case number) for the notification.</param>
/// <param name="NotifiedAt">When the authority was notified.</param>
/// <param name="RecordedBy">The officer who recorded it.</param>
/// <param name="RecordedAt">When it was recorded.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.AuthorityNotification")]
public sealed record AuthorityNotification(
    [property: Id(0)] string Authority,
    [property: Id(1)] string Reference,
    [property: Id(2)] DateTimeOffset NotifiedAt,
    [property: Id(3)] string RecordedBy,
    [property: Id(4)] DateTimeOffset RecordedAt);

/// <summary>A campaign and its progress.</summary>
/// <param name="Campaign">What is announced.</param>
/// <param name="Progress">Counts summed over its regions.</param>
/// <param name="DeclaredBy">The officer who declared it.</param>
/// <param name="Authority">A breach's notification of the supervisory authority, once recorded.</param>
/// <param name="AsOf">The service's time when this status was read (the breach clock's "now").</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.NoticeStatus")]
public sealed record NoticeStatus(
    [property: Id(0)] NoticeCampaign Campaign,
    [property: Id(1)] NoticeProgress Progress,
    [property: Id(2)] string DeclaredBy,
    [property: Id(3)] AuthorityNotification? Authority = null,
    [property: Id(4)] DateTimeOffset AsOf = default)
{
    /// <summary>Whether the 72-hour deadline passed without the supervisory authority being notified.</summary>
    public bool Overdue => Authority is null && AsOf > Campaign.Deadline;
}

/// <summary>A notice campaign (key <c>{home}/notice/{id}</c>): durable declaration, then one fan-out per region.</summary>
[Alias("PrimeDirective.INoticeCampaignGrain")]
public interface INoticeCampaignGrain : IGrainWithStringKey
{
    /// <summary>Records the campaign (durable when this returns) and starts each region's fan-out; a repeat changes nothing.</summary>
    [Alias("Start")]
    Task<bool> StartAsync(NoticeCampaign campaign, string declaredBy);

    /// <summary>The campaign and its counts, or <c>null</c> if none was declared under this key.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<NoticeStatus?> GetAsync();

    /// <summary>Records (or corrects) a breach's notification of the supervisory authority; <c>null</c> if no breach was declared under this key.</summary>
    [Alias("RecordAuthority")]
    Task<NoticeStatus?> RecordAuthorityNotificationAsync(AuthorityNotification notification);
}

/// <summary>The breaches declared in the home region (key <c>{home}/breaches</c>), newest last: the officers' list.</summary>
[Alias("PrimeDirective.IBreachRegisterGrain")]
public interface IBreachRegisterGrain : IGrainWithStringKey
{
    /// <summary>Adds a breach id (durable when this returns); a repeat changes nothing.</summary>
    [Alias("Add")]
    Task AddAsync(string breachId);

    /// <summary>Every breach id, oldest first.</summary>
    [Alias("List")]
    [ReadOnly]
    Task<ImmutableArray<string>> ListAsync();
}

/// <summary>One region's fan-out of a campaign (key <c>{region}/fanout/{id}</c>): pages its subject list in bounded batches.</summary>
[Alias("PrimeDirective.IRegionFanoutGrain")]
public interface IRegionFanoutGrain : IGrainWithStringKey
{
    /// <summary>Records the campaign and starts (or resumes) paging; a repeat changes nothing.</summary>
    [Alias("Start")]
    Task StartAsync(NoticeCampaign campaign);

    /// <summary>This region's counts.</summary>
    [Alias("Progress")]
    [ReadOnly]
    Task<NoticeProgress> ProgressAsync();

    /// <summary>
    /// The person (<paramref name="subjectKey"/>, reached through this region) holds the notice but its email could not
    /// be delivered: counted once in <see cref="NoticeProgress.EmailsFailed"/>. Interleaved: the person may be called
    /// while this fan-out waits on them.
    /// </summary>
    [Alias("EmailFailed")]
    [AlwaysInterleave]
    Task EmailFailedAsync(string subjectKey, string reason);
}

/// <summary>Keys of notice grains.</summary>
public static class NoticeKeys
{
    /// <summary>A campaign's key, in the home region.</summary>
    public static string Campaign(string homeRegion, string id) => $"{homeRegion}/notice/{id}";

    /// <summary>A campaign's fan-out in one region.</summary>
    public static string Fanout(string region, string id) => $"{region}/fanout/{id}";

    /// <summary>The register of breaches declared in the home region.</summary>
    public static string Breaches(string homeRegion) => $"{homeRegion}/breaches";

    /// <summary>The campaign id of a policy version's announcement.</summary>
    public static string PolicyChange(string version) => $"policy-{version}";

    /// <summary>The fan-out of campaign <paramref name="id"/> that reached the subject <paramref name="via"/> (a grain key <c>{region}/…</c>).</summary>
    public static string FanoutVia(string via, string id) => Fanout(via[..via.IndexOf('/', StringComparison.Ordinal)], id);
}
