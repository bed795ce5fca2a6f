using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Governance;

namespace PrimeDirective.Gateway.Governance;

/// <summary>A proposal of the two-person rule, as officers see it (never the order it carries).</summary>
/// <param name="ProposalId">Its id.</param>
/// <param name="Action">The action proposed.</param>
/// <param name="Summary">What it does.</param>
/// <param name="Status"><c>open</c>, <c>approved</c>, <c>done</c>, <c>refused</c>, <c>withdrawn</c> or <c>expired</c>.</param>
/// <param name="ProposedBy">The proposing officer's user id.</param>
/// <param name="ProposedAt">When it was proposed.</param>
/// <param name="ExpiresAt">When it expires unless approved.</param>
/// <param name="DecidedBy">The officer who approved or withdrew it.</param>
/// <param name="DecidedAt">When it was approved, withdrawn or expired.</param>
/// <param name="Result">What came of it: where the result lives, or why the action was refused.</param>
internal sealed record ProposalView(
    string ProposalId, GovernedAction Action, string Summary, ProposalStatus Status, string ProposedBy, DateTimeOffset ProposedAt, DateTimeOffset ExpiresAt,
    string? DecidedBy, DateTimeOffset? DecidedAt, string? Result)
{
    /// <summary>Where the proposal is read and approved.</summary>
    public string Location => $"/v1/admin/proposals/{ProposalId}";

    public static ProposalView From(Proposal proposal) => new(
        proposal.ProposalId, proposal.Draft.Action, proposal.Draft.Summary, proposal.Status, proposal.ProposedBy, proposal.ProposedAt, proposal.ExpiresAt,
        proposal.DecidedBy, proposal.DecidedAt, proposal.Result);
}

/// <summary>Governance's JSON, source-generated.</summary>
[JsonSerializable(typeof(ProposalView))]
[JsonSerializable(typeof(ImmutableArray<ProposalView>))]
internal sealed partial class GovernanceJson : JsonSerializerContext;
