using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// The stored state of an email index entry (plain JSON in its region's database). The address itself is not in it,
/// except sealed inside undelivered messages.
/// </summary>
public sealed class EmailIndexState : IDueReminderState, IOutboxState
{
    /// <summary>The account that claims the address.</summary>
    [PersonalData]
    public string? UserId { get; set; }

    /// <summary>A verified sign-up whose account is not yet confirmed created; finished on the next call.</summary>
    public NewAccount? Creating { get; set; }

    /// <summary>The one outstanding code, if any.</summary>
    public PendingCode? Pending { get; set; }

    /// <summary>When messages were sent to the address, for the per-address rate limit.</summary>
    public List<DateTimeOffset> MessagesSent { get; set; } = [];

    /// <summary>Messages to the address not yet delivered, sealed; each counted in <see cref="MessagesSent"/>.</summary>
    public List<QueuedMessage> Outgoing { get; set; } = [];

    /// <summary>When the expiry reminder is due, if one is registered.</summary>
    public DateTimeOffset? ExpiryDueAt { get; set; }

    DateTimeOffset? IDueReminderState.ReminderDueAt { get => ExpiryDueAt; set => ExpiryDueAt = value; }

    /// <summary>Nothing claimed, nothing pending, nothing to deliver, and no rate-limit window open: the row can go.</summary>
    public bool IsEmpty => UserId is null && Creating is null && Pending is null && MessagesSent.Count == 0 && Outgoing.Count == 0;
}

/// <summary>What a code is for.</summary>
public enum PendingKind
{
    SignUp = 0,
    SignIn = 1,
    EmailChange = 2,
    OpenDsrConfirmation = 3,
    StepUp = 4,
}

/// <summary>An outstanding one-time code: its salted hash, its expiry, the guesses made, and what it would do.</summary>
/// <param name="Kind">What the code is for.</param>
/// <param name="CodeHash">Salted SHA-256 of the code.</param>
/// <param name="Salt">The salt.</param>
/// <param name="ExpiresAt">When the code and everything pending with it are destroyed.</param>
/// <param name="Attempts">Wrong guesses so far.</param>
/// <param name="SignUp">A sign-up's details (personal data, kept only while the code lives).</param>
/// <param name="UserId">The account a sign-up would create, or the account moving to this address.</param>
/// <param name="Purpose">For an OpenDSR confirmation: the grain key of the controller's request it confirms; for a step-up: the action it allows.</param>
public sealed record PendingCode(
    PendingKind Kind,
    string CodeHash,
    string Salt,
    DateTimeOffset ExpiresAt,
    int Attempts,
    [property: PersonalData] SignUpDetails? SignUp,
    [property: PersonalData] string? UserId,
    string? Purpose = null);
