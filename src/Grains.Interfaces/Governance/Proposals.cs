using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Governance;

/// <summary>An action one officer may only propose: it takes effect when a different officer approves it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GovernedAction>))]
public enum GovernedAction
{
    /// <summary>A disclosure on any basis but consent.</summary>
    [JsonStringEnumMemberName("disclosure")]
    Disclosure = 0,

    /// <summary>A legal request's <c>disclose</c> decision.</summary>
    [JsonStringEnumMemberName("legal-disclosure")]
    LegalDisclosure = 1,

    /// <summary>A breach declaration (it emails everyone affected).</summary>
    [JsonStringEnumMemberName("breach")]
    Breach = 2,

    /// <summary>A substantive policy version (announced to everyone).</summary>
    [JsonStringEnumMemberName("substantive-policy-version")]
    SubstantivePolicyVersion = 3,

    /// <summary>Lifting a legal hold (expiry and erasure resume at once).</summary>
    [JsonStringEnumMemberName("legal-hold-lift")]
    LegalHoldLift = 4,
}

/// <summary>Where a proposal stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProposalStatus>))]
public enum ProposalStatus
{
    /// <summary>Waiting for a second officer.</summary>
    [JsonStringEnumMemberName("open")]
    Open = 0,

    /// <summary>Approved; the action is being carried out (it stays so if the gateway stopped meanwhile).</summary>
    [JsonStringEnumMemberName("approved")]
    Approved = 1,

    /// <summary>Approved and carried out.</summary>
    [JsonStringEnumMemberName("done")]
    Done = 2,

    /// <summary>Approved, but the action was refused when carried out (its basis no longer held, say); nothing happened.</summary>
    [JsonStringEnumMemberName("refused")]
    Refused = 3,

    /// <summary>Withdrawn by one of the officers; never happens.</summary>
    [JsonStringEnumMemberName("withdrawn")]
    Withdrawn = 4,

    /// <summary>Nobody approved it within its lifetime; never happens.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired = 5,
}

/// <summary>
/// What an officer proposes: the action, a line that says what it does, and the checked order it carries out. Once the
/// proposal is decided (done, refused, withdrawn or expired) only <see cref="Action"/> and <see cref="Closed"/> are kept:
/// the rest may name a person, and the book is an audit of officers, not of them.
/// </summary>
/// <param name="Action">The action.</param>
/// <param name="Summary">What it does, for the console while open (may name a subject by id).</param>
/// <param name="Target">What the route named (a request id, a user id, a cluster id), if anything.</param>
/// <param name="Region">The region the route named (a cluster's), if any.</param>
/// <param name="Body">The checked request body (JSON).</param>
/// <param name="Closed">What it does, without naming anyone: the summary kept once it is decided.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ProposalDraft")]
public sealed record ProposalDraft(
    [property: Id(0)] GovernedAction Action,
    [property: Id(1), UserContent] string Summary,
    [property: Id(2), PersonalData] string? Target,
    [property: Id(3)] string? Region,
    [property: Id(4), UserContent] string? Body,
    [property: Id(5)] string Closed)
{
    /// <summary>The draft as kept once decided: nothing that may name a person.</summary>
    public ProposalDraft Close() => this with { Summary = Closed, Target = null, Region = null, Body = null };
}

/// <summary>A proposal and where it stands: who proposed it and when, who approved or withdrew it, and what came of it.</summary>
/// <param name="ProposalId">Its id (random, nothing personal).</param>
/// <param name="Draft">What was proposed (its body dropped once decided).</param>
/// <param name="ProposedBy">The proposing officer's user id.</param>
/// <param name="ProposedAt">When.</param>
/// <param name="ExpiresAt">When it expires unless approved.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="DecidedBy">The officer who approved or withdrew it.</param>
/// <param name="DecidedAt">When.</param>
/// <param name="Result">What came of it: the resource made, or why it was refused (no personal value).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.Proposal")]
public sealed record Proposal(
    [property: Id(0)] string ProposalId,
    [property: Id(1)] ProposalDraft Draft,
    [property: Id(2)] string ProposedBy,
    [property: Id(3)] DateTimeOffset ProposedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] ProposalStatus Status,
    [property: Id(6)] string? DecidedBy,
    [property: Id(7)] DateTimeOffset? DecidedAt,
    [property: Id(8)] string? Result);

/// <summary>Why a command on a proposal was refused, or that it went through.</summary>
public enum ProposalCommandOutcome
{
    /// <summary>Done.</summary>
    Done = 0,

    /// <summary>No such proposal.</summary>
    Unknown = 1,

    /// <summary>The proposing officer cannot approve their own proposal.</summary>
    SameOfficer = 2,

    /// <summary>It is no longer open (approved, withdrawn or expired).</summary>
    NotOpen = 3,

    /// <summary>Too many proposals are open; decide some first.</summary>
    Full = 4,
}

/// <summary>
/// Every proposal of the two-person rule, in the home region (keyed <c>{home}/proposals</c>): one grain, so an approval
/// is decided once. Open proposals are bounded in number; decided ones are kept as the audit, newest last, bounded too.
/// </summary>
[Alias("PrimeDirective.IProposalBookGrain")]
public interface IProposalBookGrain : IGrainWithStringKey
{
    /// <summary>Records <paramref name="draft"/> as proposed by <paramref name="officerId"/> now, open for <paramref name="lifetime"/>.</summary>
    [Alias("Propose")]
    Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> ProposeAsync(ProposalDraft draft, string officerId, TimeSpan lifetime);

    /// <summary>Claims an open, unexpired proposal for <paramref name="officerId"/>'s approval (a different officer): it is then approved, with its body, once.</summary>
    [Alias("Approve")]
    Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> ApproveAsync(string proposalId, string officerId);

    /// <summary>Records what came of an approved proposal (done or refused), and drops its body.</summary>
    [Alias("Finish")]
    Task FinishAsync(string proposalId, bool done, string result);

    /// <summary>Withdraws an open proposal (either officer may, before approval).</summary>
    [Alias("Withdraw")]
    Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> WithdrawAsync(string proposalId, string officerId);

    /// <summary>One proposal (without its body once decided), or <c>null</c>.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<Proposal?> GetAsync(string proposalId);

    /// <summary>Open proposals first (oldest first), then the decided ones, newest first.</summary>
    [Alias("List")]
    [ReadOnly]
    Task<ImmutableArray<Proposal>> ListAsync();
}

/// <summary>Grain keys of governance.</summary>
public static class GovernanceKeys
{
    /// <summary>Open proposals at most: beyond that an officer must decide or withdraw some first.</summary>
    public const int MaxOpen = 200;

    /// <summary>The proposal book, in the home region.</summary>
    public static string Book(string homeRegion) => $"{homeRegion}/proposals";
}
