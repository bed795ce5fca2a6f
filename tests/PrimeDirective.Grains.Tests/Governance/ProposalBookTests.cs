using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.Governance;

/// <summary>The proposal book alone: a different officer approves once; withdrawn or expired never; decided keeps nobody's id.</summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class ProposalBookTests(GrainCluster cluster)
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromDays(7);

    /// <summary>A book of its own (isolation by key), as the home region's would be.</summary>
    private IProposalBookGrain Book() => cluster.Grains.GetGrain<IProposalBookGrain>($"{GovernanceKeys.Book("eu")}-{Guid.NewGuid():N}");

    private static ProposalDraft Draft(string userId) =>
        new(GovernedAction.LegalHoldLift, $"Lift the legal hold of person {userId}", userId, null, "{\"reason\":\"secret rationale\"}", "Lift of a person's legal hold");

    [Fact]
    public async Task The_proposer_cannot_approve_a_different_officer_approves_once_with_the_order_and_then_nobody_again()
    {
        var book = Book();
        var (_, proposal) = await book.ProposeAsync(Draft("eu-person-1"), "officer-a", s_lifetime);

        Assert.Equal(ProposalCommandOutcome.SameOfficer, (await book.ApproveAsync(proposal!.ProposalId, "officer-a")).Outcome);
        Assert.Equal(ProposalStatus.Open, (await book.GetAsync(proposal.ProposalId))!.Status);
        Assert.Null((await book.GetAsync(proposal.ProposalId))!.Draft.Body);

        var (approved, claimed) = await book.ApproveAsync(proposal.ProposalId, "officer-b");
        Assert.Equal(ProposalCommandOutcome.Done, approved);
        Assert.Equal("{\"reason\":\"secret rationale\"}", claimed!.Draft.Body);
        Assert.Equal(ProposalCommandOutcome.NotOpen, (await book.ApproveAsync(proposal.ProposalId, "officer-c")).Outcome);
        Assert.Equal(ProposalCommandOutcome.NotOpen, (await book.WithdrawAsync(proposal.ProposalId, "officer-a")).Outcome);

        await book.FinishAsync(proposal.ProposalId, true, "done: hold lifted");
        var done = (await book.GetAsync(proposal.ProposalId))!;
        Assert.Equal((ProposalStatus.Done, "officer-a", "officer-b", "done: hold lifted"), (done.Status, done.ProposedBy, done.DecidedBy, done.Result));
        Assert.Equal(("Lift of a person's legal hold", null, null), (done.Draft.Summary, done.Draft.Target, done.Draft.Body));
    }

    [Fact]
    public async Task A_withdrawn_or_expired_proposal_cannot_be_approved_and_keeps_nobodys_id()
    {
        var book = Book();
        var (_, withdrawn) = await book.ProposeAsync(Draft("eu-person-2"), "officer-a", s_lifetime);
        var (_, expiring) = await book.ProposeAsync(Draft("eu-person-3"), "officer-a", s_lifetime);

        Assert.Equal(ProposalCommandOutcome.Done, (await book.WithdrawAsync(withdrawn!.ProposalId, "officer-b")).Outcome);
        Assert.Equal(ProposalCommandOutcome.NotOpen, (await book.ApproveAsync(withdrawn.ProposalId, "officer-b")).Outcome);

        cluster.Clock.Advance(s_lifetime);
        var (outcome, expired) = await book.ApproveAsync(expiring!.ProposalId, "officer-b");
        Assert.Equal(ProposalCommandOutcome.NotOpen, outcome);
        Assert.Equal(ProposalStatus.Expired, expired!.Status);

        var all = await book.ListAsync();
        Assert.Equal([ProposalStatus.Expired, ProposalStatus.Withdrawn], all.Select(proposal => proposal.Status));
        Assert.All(all, proposal => Assert.Equal((null, null, "Lift of a person's legal hold"), (proposal.Draft.Target, proposal.Draft.Body, proposal.Draft.Summary)));
    }

    [Fact]
    public async Task Open_proposals_are_bounded_and_the_next_one_is_refused_until_one_is_decided()
    {
        var book = Book();
        string? first = null;
        for (var i = 0; i < GovernanceKeys.MaxOpen; i++)
        {
            var (outcome, proposal) = await book.ProposeAsync(Draft($"eu-person-{i}"), "officer-a", s_lifetime);
            Assert.Equal(ProposalCommandOutcome.Done, outcome);
            first ??= proposal!.ProposalId;
        }

        Assert.Equal(ProposalCommandOutcome.Full, (await book.ProposeAsync(Draft("eu-person-x"), "officer-a", s_lifetime)).Outcome);
        await book.WithdrawAsync(first!, "officer-a");
        Assert.Equal(ProposalCommandOutcome.Done, (await book.ProposeAsync(Draft("eu-person-x"), "officer-a", s_lifetime)).Outcome);
    }
}
