using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Users;

/// <summary>The stored state of an account (plain JSON in its region's database).</summary>
public sealed class UserState : ILegalHoldState, IDestructionProofState, IBoundedState, IDisclosureLedgerState, IGaggedAuditState, IDisclosureGagState, IOutboxState
{
    [PersonalData]
    public string? UserId { get; set; }

    [PersonalData]
    public string? Email { get; set; }

    [PersonalData]
    public string? Name { get; set; }

    [PersonalData]
    public DateOnly? BirthDate { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public List<ConsentEvent> Consents { get; set; } = [];

    /// <summary>Linked clusters by <c>{region}/{clusterId}</c>.</summary>
    public Dictionary<string, LinkedCluster> Links { get; set; } = new(StringComparer.Ordinal);

    public List<RequestReference> Requests { get; set; } = [];

    public List<Notification> Notifications { get; set; } = [];

    public List<Notification> Disclosures { get; set; } = [];

    public List<AuditEntry> Audit { get; set; } = [];

    /// <summary>Older audit entries, folded into counts.</summary>
    public FoldedHistory EarlierAudit { get; set; } = new();

    /// <summary>Older notices, folded into counts (each was also sent by email).</summary>
    public FoldedHistory EarlierNotifications { get; set; } = new();

    /// <summary>The erasure that closed the account; from then on its tokens no longer work.</summary>
    public string? ClosedBy { get; set; }

    /// <summary>An address the person asked to move to, awaiting its code.</summary>
    [PersonalData]
    public string? PendingEmail { get; set; }

    /// <summary>The previous address while its index entry is being released (resumed after a crash).</summary>
    [PersonalData]
    public string? ReleasingEmail { get; set; }

    /// <summary>The legal hold in force, if any: it defers the account's erasure.</summary>
    public LegalHold? LegalHold { get; set; }

    /// <summary>Erasure requests deferred by the hold; resumed when it is lifted.</summary>
    public List<string> WaitingErasures { get; set; } = [];

    /// <summary>Proofs of destruction not yet confirmed recorded in the region's ledger.</summary>
    public List<DestructionProof> PendingProofs { get; set; } = [];

    /// <summary>What named sources told us about the person (kept while the account lives; at most ThirdPartyRecords.Limit).</summary>
    public List<ThirdPartyRecordState> ThirdPartyRecords { get; set; } = [];

    /// <summary>Every disclosure of the person's data, hash-chained; it leaves only counts in the destruction ledger when erased.</summary>
    public List<DisclosureEntry> DisclosureLedger { get; set; } = [];

    /// <summary>The last ledger entry's hash.</summary>
    public string? DisclosureHead { get; set; }

    /// <inheritdoc/>
    public int EvidenceSeq { get; set; }

    /// <inheritdoc/>
    public List<LedgerEvidence> PendingEvidence { get; set; } = [];

    /// <inheritdoc/>
    public Dictionary<string, ListedPackage> DisclosurePackages { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Extended gags by disclosure id: the entry stays hidden from the person until then.</summary>
    public Dictionary<string, DateTimeOffset> DisclosureGags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gags of legal requests about the person, by request id: until each ends, what it caused stays out of the person's views.</summary>
    public Dictionary<string, DateTimeOffset> LegalGags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Audit entries a running gag hides, moved into <see cref="Audit"/> when it ends.</summary>
    public List<SealedAuditEntry> SealedAudit { get; set; } = [];

    /// <summary>Legal requests about the person: their link to the person is destroyed when the account is erased.</summary>
    public List<string> LegalRequestIds { get; set; } = [];

    /// <summary>Notice campaigns the person holds, each with the subject the fan-out reached (once per campaign).</summary>
    public Dictionary<string, string> NoticesReceived { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Notice emails kept until the silo's sender has delivered them.</summary>
    public List<QueuedMessage> Outgoing { get; set; } = [];

    /// <summary>Campaigns whose email to the person was delivered (a substantive policy version needs its announcement's).</summary>
    public List<string> NoticesDelivered { get; set; } = [];

    /// <summary>Campaigns whose email could not be delivered, with why, until the campaign has counted it failed.</summary>
    public Dictionary<string, string> NoticeEmailFailures { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the person last signed in (a verified code); <c>null</c>: not since the account was created.</summary>
    public DateTimeOffset? LastSignInAt { get; set; }

    /// <summary>When the person was warned that the account is dormant; cleared by a sign-in.</summary>
    public DateTimeOffset? DormantWarnedAt { get; set; }

    /// <summary>When the dormancy reminder was last registered to be due; <c>null</c> while none is registered.</summary>
    public DateTimeOffset? DormancyDueAt { get; set; }

    /// <summary>The erasure request a dormant account submitted for itself (the same one on every retry).</summary>
    public string? DormantErasure { get; set; }

    /// <summary>The last policy version the person was recorded continuing under.</summary>
    public string? ContinuedUnder { get; set; }

    /// <inheritdoc/>
    public void Bound()
    {
        BoundedHistory.FoldAudit(Audit, EarlierAudit);
        BoundedHistory.FoldNotifications(Notifications, EarlierNotifications);
    }

    public bool IsActive => UserId is not null && ClosedBy is null;
}
