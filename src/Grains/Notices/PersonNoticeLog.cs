using System.Collections.Immutable;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Grains.Notices;

/// <summary>A notice to a person as a row (V028): who, which campaign, when, through whom, and its sealed parts.</summary>
/// <param name="Person">The person's pseudonymous grain key.</param>
/// <param name="CampaignId">The campaign it belongs to (one notice per person and campaign).</param>
/// <param name="Kind">The notice's kind, as shown to the person.</param>
/// <param name="At">When it was recorded (policy's clock).</param>
/// <param name="Via">The pseudonymous key it reached the person through (the person's own, or a linked cluster's).</param>
/// <param name="Body">Title and text, sealed under the person's data key (<see cref="PersonNoticeLog.BodyContext"/>).</param>
/// <param name="Email">The email, sealed under the person's data key (<see cref="PersonNoticeLog.EmailContext"/>, as the outbox seals); <c>null</c> once handled.</param>
public sealed record PersonNoticeRow(string Person, string CampaignId, string Kind, DateTimeOffset At, string Via, byte[] Body, byte[]? Email);

/// <summary>An email a drain claimed: its notice and the sealed message to send.</summary>
/// <param name="Person">The person's pseudonymous grain key.</param>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Email">The sealed message (<see cref="PersonNoticeLog.EmailContext"/>).</param>
/// <param name="At">When the notice was recorded (its email is pointless after the outbox's notice lifetime).</param>
/// <param name="Via">The key the notice reached the person through (its campaign's fan-out hears of a failed email).</param>
public sealed record DueNoticeEmail(string Person, string CampaignId, byte[] Email, DateTimeOffset At, string Via);

/// <summary>A notice of an appended batch as stored: by this append (<paramref name="New"/>), or already by an earlier one.</summary>
/// <param name="Person">The person's pseudonymous grain key.</param>
/// <param name="Via">The key the stored notice came through (an earlier append's, if it was already stored).</param>
/// <param name="New">Whether this append stored it.</param>
public sealed record StoredNotice(string Person, string Via, bool New);

/// <summary>What became of a notice's email, recorded by the drain that handled it.</summary>
/// <param name="Person">The person's pseudonymous grain key.</param>
/// <param name="CampaignId">The campaign.</param>
/// <param name="Fate">Delivered, or why not.</param>
public sealed record NoticeEmailFate(string Person, string CampaignId, Outbox.MessageFate Fate);

/// <summary>
/// Each region's notices to people as rows (table <c>person_notice</c>, V028), written set-based: a fan-out appends a
/// whole batch in one round trip, and a drain settles the emails it delivered in one round trip. Nothing here decides
/// who is affected: the person's grain does, and only its decision is written.
/// </summary>
public interface IPersonNoticeLog
{
    /// <summary>
    /// Appends <paramref name="rows"/> (each with its email, one per person and campaign) in one statement; a notice
    /// already stored is kept as it is. Their emails are due for the drain at <paramref name="emailDueAt"/>. Returns each
    /// row's notice as stored (a person missing from it was stored meanwhile by a concurrent append: ask again).
    /// </summary>
    Task<ImmutableArray<StoredNotice>> AppendAsync(string region, IReadOnlyCollection<PersonNoticeRow> rows, DateTimeOffset emailDueAt);

    /// <summary>The person's notices, oldest first, with their email's state.</summary>
    Task<ImmutableArray<(PersonNoticeRow Row, string EmailState)>> ForPersonAsync(string region, string person);

    /// <summary>
    /// Up to <paramref name="limit"/> emails still pending and due by <paramref name="now"/>, claimed until
    /// <paramref name="nextDue"/> (another silo's drain skips them meanwhile; a crash hands them again then).
    /// </summary>
    Task<ImmutableArray<DueNoticeEmail>> ClaimDueEmailsAsync(string region, DateTimeOffset now, DateTimeOffset nextDue, int limit);

    /// <summary>Records what became of the emails in one statement and forgets them; the notices stay. Returns how many were still pending.</summary>
    Task<int> SettleEmailsAsync(string region, IReadOnlyCollection<NoticeEmailFate> fates);

    /// <summary>An erasure: deletes every notice of the person. Returns how many rows went.</summary>
    Task<int> DeletePersonAsync(string region, string person);
}

/// <summary>The words and seal contexts of the person notice rows.</summary>
public static class PersonNoticeLog
{
    /// <summary>The table.</summary>
    public const string Store = "person_notice";

    /// <summary>Where a notice's title and text are sealed.</summary>
    public static SealContext BodyContext(string person, string campaignId) => new(Store, "body", person, campaignId);

    /// <summary>Where a notice's email is sealed: as the outbox seals a message of the person (<see cref="EmailId"/>), so the silo's sender opens it.</summary>
    public static SealContext EmailContext(string person, string campaignId) => Outbox.MessageSeal.ContextFor(person, EmailId(person, campaignId));

    /// <summary>The email's message id for the sender and the transport: the same for every hand-over, so a repeat is sent once.</summary>
    public static string EmailId(string person, string campaignId) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{person}\n{campaignId}")))[..32];

    /// <summary>The state an email's row has once it was delivered.</summary>
    public const string Delivered = "delivered";

    /// <summary>Whether the campaign's notice to the person is a row whose email was delivered.</summary>
    public static async Task<bool> EmailDeliveredAsync(this IPersonNoticeLog log, string region, string person, string campaignId)
    {
        ArgumentNullException.ThrowIfNull(log);
        return (await log.ForPersonAsync(region, person)).Any(notice => notice.Row.CampaignId == campaignId && notice.EmailState == Delivered);
    }

    /// <summary>How an email's fate is stored.</summary>
    public static string State(Outbox.MessageFate fate) => fate switch
    {
        Outbox.MessageFate.Delivered => Delivered,
        Outbox.MessageFate.Displaced => "displaced",
        _ => "undelivered",
    };
}
