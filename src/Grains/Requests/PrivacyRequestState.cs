using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// The stored state of a privacy request (plain JSON in its subject's region). What it needs to run is
/// pseudonymous (grain keys); a child-removal request's parent data is destroyed once the parent has been answered
/// (sealed messages to the parent stay until delivered).
/// </summary>
public sealed class PrivacyRequestState : IOutboxState, Transparency.ITransparencyCountState
{
    public string? RequestId { get; set; }

    public string Kind { get; set; } = PrivacyRequestKinds.Erasure;

    public PrivacyRequestStatus Status { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? Reason { get; set; }

    /// <summary>SHA-256 (hex) of the capability secret given to the requester.</summary>
    public string? CapabilityHash { get; set; }

    /// <summary>The account to erase (grain key); cleared on completion. Empty when a child's address matched no account.</summary>
    public string? SubjectUserKey { get; set; }

    /// <summary>A cluster erasure's target (grain key); cleared on completion.</summary>
    public string? SubjectClusterKey { get; set; }

    /// <summary>A child-removal request's target: the email index key of the child's address.</summary>
    public string? ChildEmailIndexKey { get; set; }

    /// <summary>What the erasure reaches, learned when the account was closed; cleared on completion.</summary>
    public ErasurePlan? Plan { get; set; }

    /// <summary>Grain keys already erased, so a resumed run skips them.</summary>
    public List<string> Done { get; set; } = [];

    public List<ErasureReceipt> Receipts { get; set; } = [];

    /// <summary>While on hold: until when the person must not learn of the hold (a legal request's gag).</summary>
    public DateTimeOffset? HoldSecretUntil { get; set; }

    /// <summary>What each started step would destroy, taken before it ran: the receipt of a step that finished just before a crash.</summary>
    public Dictionary<string, ErasureReceipt> Previews { get; set; } = new(StringComparer.Ordinal);

    [PersonalData]
    public string? ParentName { get; set; }

    [PersonalData]
    public string? ParentEmail { get; set; }

    [UserContent]
    public string? Statement { get; set; }

    public bool? Approved { get; set; }

    public string? DecidedBy { get; set; }

    public string? DecisionReason { get; set; }

    /// <summary>When officers were last reminded that this child-removal request waits for review.</summary>
    public DateTimeOffset? LastReviewReminderAt { get; set; }

    /// <summary>Whether the parent has been told the decision (then their data goes).</summary>
    public bool ParentAnswered { get; set; }

    /// <summary>Messages to the parent not yet delivered, sealed.</summary>
    public List<QueuedMessage> Outgoing { get; set; } = [];

    /// <summary>Whether the processors to tell of the erasure were taken from the account before it was destroyed.</summary>
    public bool PropagationCaptured { get; set; }

    /// <summary>Erasure notices owed to processors that received the subject's data.</summary>
    public List<ProcessorNotice> ProcessorNotices { get; set; } = [];

    /// <summary>Subjects (grain keys) whose processors were captured into <see cref="ProcessorNotices"/>: each once.</summary>
    public List<string> PropagationCapturedFor { get; set; } = [];

    /// <summary>What the transparency report has counted of this request (received, completed, denied).</summary>
    public List<string> Counted { get; set; } = [];
}

/// <summary>The kinds of privacy request.</summary>
public static class PrivacyRequestKinds
{
    public const string Erasure = "erasure";

    public const string ChildRemoval = "child-removal";

    public const string ClusterErasure = "cluster-erasure";
}
