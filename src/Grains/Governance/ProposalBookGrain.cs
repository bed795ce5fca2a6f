using System.Collections.Immutable;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Governance;

/// <summary>
/// The two-person rule's proposals: proposed by one officer, approved once by another, or withdrawn, or expired. An
/// expired or decided proposal keeps nothing that may name a person; an hourly reminder records expiries while any
/// proposal is open, so an expired order does not wait in storage for the next officer's write.
/// </summary>
[RegionPlacement]
public sealed partial class ProposalBookGrain(
    [PersistentState("proposals", StorageNames.Subjects)] IPersistentState<ProposalBookState> state,
    PolicyClock time,
    ILogger<ProposalBookGrain> logger) : Grain, IProposalBookGrain, IRemindable
{
    private const string ExpiryReminder = "expire-proposals";

    private static readonly TimeSpan s_expiryCheck = TimeSpan.FromHours(1);

    /// <summary>Decided proposals kept as the audit; older ones are dropped, as the state must stay bounded.</summary>
    public const int MaxDecided = 1000;

    public async Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> ProposeAsync(ProposalDraft draft, string officerId, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var answer = await state.UpdateAsync(
            () =>
            {
                var now = time.GetUtcNow();
                Sweep(now);
                if (state.State.Proposals.Count(proposal => proposal.Status == ProposalStatus.Open) >= GovernanceKeys.MaxOpen)
                {
                    return (false, (ProposalCommandOutcome.Full, (Proposal?)null));
                }

                var proposal = new Proposal(NewId(), draft, officerId, now, now + lifetime, ProposalStatus.Open, null, null, null);
                state.State.Proposals.Add(proposal);
                Bound();
                return (true, (ProposalCommandOutcome.Done, (Proposal?)proposal));
            },
            DeactivateOnIdle);
        if (answer.Item2 is { } proposed)
        {
            await this.RegisterOrUpdateReminder(ExpiryReminder, s_expiryCheck, s_expiryCheck);
            LogProposed(logger, proposed.ProposalId, draft.Action);
        }

        return answer;
    }

    public async Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> ApproveAsync(string proposalId, string officerId)
    {
        var answer = await DecideOpenAsync(proposalId, (proposal, now) =>
            string.Equals(proposal.ProposedBy, officerId, StringComparison.Ordinal)
                ? null
                : proposal with { Status = ProposalStatus.Approved, DecidedBy = officerId, DecidedAt = now });
        if (answer.Outcome == ProposalCommandOutcome.Done)
        {
            LogApproved(logger, proposalId);
        }

        return answer;
    }

    public Task FinishAsync(string proposalId, bool done, string result) =>
        state.UpdateAsync(
            () =>
            {
                var index = IndexOf(proposalId);
                if (index < 0 || state.State.Proposals[index].Status != ProposalStatus.Approved)
                {
                    return (false, false);
                }

                var proposal = state.State.Proposals[index];
                state.State.Proposals[index] = proposal with
                {
                    Status = done ? ProposalStatus.Done : ProposalStatus.Refused, Result = result, Draft = proposal.Draft.Close(),
                };
                return (true, true);
            },
            DeactivateOnIdle);

    public async Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> WithdrawAsync(string proposalId, string officerId)
    {
        var answer = await DecideOpenAsync(proposalId, (proposal, now) =>
            proposal with { Status = ProposalStatus.Withdrawn, DecidedBy = officerId, DecidedAt = now, Draft = proposal.Draft.Close() });
        if (answer.Outcome == ProposalCommandOutcome.Done)
        {
            LogWithdrawn(logger, proposalId);
        }

        return answer;
    }

    /// <summary>
    /// Decides an open proposal (expired ones swept first, decided again from fresh state after a conflict):
    /// <paramref name="decide"/> answers what it becomes, or <c>null</c> when the other officer of the two must decide.
    /// </summary>
    private Task<(ProposalCommandOutcome Outcome, Proposal? Proposal)> DecideOpenAsync(string proposalId, Func<Proposal, DateTimeOffset, Proposal?> decide) =>
        state.UpdateAsync(
            () =>
            {
                var now = time.GetUtcNow();
                var swept = Sweep(now);
                var index = IndexOf(proposalId);
                if (index < 0)
                {
                    return (swept, (ProposalCommandOutcome.Unknown, (Proposal?)null));
                }

                var proposal = state.State.Proposals[index];
                if (proposal.Status != ProposalStatus.Open)
                {
                    return (swept, (ProposalCommandOutcome.NotOpen, (Proposal?)Public(proposal)));
                }

                if (decide(proposal, now) is not { } decided)
                {
                    return (swept, (ProposalCommandOutcome.SameOfficer, (Proposal?)Public(proposal)));
                }

                state.State.Proposals[index] = decided;
                return (true, (ProposalCommandOutcome.Done, (Proposal?)decided));
            },
            DeactivateOnIdle);

    public Task<Proposal?> GetAsync(string proposalId)
    {
        var index = IndexOf(proposalId);
        return Task.FromResult(index < 0 ? null : Public(AsOfNow(state.State.Proposals[index], time.GetUtcNow())));
    }

    public Task<ImmutableArray<Proposal>> ListAsync()
    {
        var now = time.GetUtcNow();
        var all = state.State.Proposals.Select(proposal => Public(AsOfNow(proposal, now))).ToList();
        return Task.FromResult(all.Where(proposal => proposal.Status == ProposalStatus.Open)
            .Concat(all.Where(proposal => proposal.Status != ProposalStatus.Open).Reverse())
            .ToImmutableArray());
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var open = await state.UpdateAsync(
            () => (Sweep(time.GetUtcNow()), state.State.Proposals.Exists(proposal => proposal.Status == ProposalStatus.Open)),
            DeactivateOnIdle);
        if (!open && await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>An open proposal past its lifetime reads as expired, before any write records it.</summary>
    private static Proposal AsOfNow(Proposal proposal, DateTimeOffset now) =>
        proposal.Status == ProposalStatus.Open && now >= proposal.ExpiresAt
            ? proposal with { Status = ProposalStatus.Expired, DecidedAt = proposal.ExpiresAt, Draft = proposal.Draft.Close() }
            : proposal;

    /// <summary>What leaves the grain for reading: never the body (it is handed out once, to the approval).</summary>
    private static Proposal Public(Proposal proposal) => proposal with { Draft = proposal.Draft with { Body = null } };

    /// <summary>Records every open proposal past its lifetime as expired (its body dropped); whether any was.</summary>
    private bool Sweep(DateTimeOffset now)
    {
        var swept = false;
        for (var i = 0; i < state.State.Proposals.Count; i++)
        {
            var proposal = state.State.Proposals[i];
            if (AsOfNow(proposal, now) is var current && !ReferenceEquals(current, proposal))
            {
                state.State.Proposals[i] = current;
                swept = true;
            }
        }

        return swept;
    }

    /// <summary>Drops the oldest decided proposals beyond <see cref="MaxDecided"/>.</summary>
    private void Bound()
    {
        var excess = state.State.Proposals.Count(proposal => proposal.Status is not (ProposalStatus.Open or ProposalStatus.Approved)) - MaxDecided;
        for (var i = 0; excess > 0 && i < state.State.Proposals.Count;)
        {
            if (state.State.Proposals[i].Status is ProposalStatus.Open or ProposalStatus.Approved)
            {
                i++;
                continue;
            }

            state.State.Proposals.RemoveAt(i);
            excess--;
        }
    }

    private int IndexOf(string proposalId) =>
        state.State.Proposals.FindIndex(proposal => string.Equals(proposal.ProposalId, proposalId, StringComparison.Ordinal));

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(Level = LogLevel.Information, Message = "Proposal {ProposalId} proposed: {Action}")]
    private static partial void LogProposed(ILogger logger, string proposalId, GovernedAction action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proposal {ProposalId} approved by a second officer")]
    private static partial void LogApproved(ILogger logger, string proposalId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proposal {ProposalId} withdrawn")]
    private static partial void LogWithdrawn(ILogger logger, string proposalId);
}

/// <summary>The proposal book's stored state: every proposal still kept, in the order proposed.</summary>
public sealed class ProposalBookState
{
    public List<Proposal> Proposals { get; set; } = [];
}
