using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;

namespace PrimeDirective.Gateway.Governance;

/// <summary>
/// The two-person rule (officers): the proposals governed routes answered with 202, their approval by a second officer
/// (which carries the action out and answers as its route would have), their withdrawal, and the list with who and when.
/// </summary>
internal static class GovernanceEndpoints
{
    public static IEndpointRouteBuilder MapGovernanceEndpoints(this IEndpointRouteBuilder routes)
    {
        var proposals = routes.MapGroup("/v1/admin/proposals").WithTags("Governance").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        proposals.MapGet(string.Empty, ListAsync).WithSummary("Every proposal kept: open ones first (oldest first), then decided ones, with who proposed, approved or withdrew each, and when.");
        proposals.MapGet("/{proposalId}", GetAsync).WithSummary("One proposal and where it stands.");
        proposals.MapPost("/{proposalId}/approval", ApproveAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("A second officer approves an open proposal: the action is carried out once, as decided now, and answered as its own route answers (the proposer cannot approve: 409).");
        proposals.MapDelete("/{proposalId}", WithdrawAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Withdraws an open proposal (either officer): it never happens.");
        return routes;
    }

    /// <summary>A proposal's answer on the route that proposed it: 202 with the proposal and where to approve it.</summary>
    public static Accepted<ProposalView> Accepted(ProposalView proposal) => TypedResults.Accepted(proposal.Location, proposal);

    private static async Task<Ok<ImmutableArray<ProposalView>>> ListAsync(GovernanceDesk desk) => TypedResults.Ok(await desk.ListAsync());

    private static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> GetAsync(string proposalId, GovernanceDesk desk) =>
        await desk.GetAsync(proposalId) is { } proposal ? TypedResults.Ok(proposal) : Problems.NotFound("proposal");

    private static async Task<Results<Created<object>, Ok<object>, NoContent, ProblemHttpResult>> ApproveAsync(string proposalId, HttpContext context, GovernanceDesk desk) =>
        await desk.ApproveAsync(proposalId, context.User.UserId() ?? "external-officer") switch
        {
            Outcome<Enacted>.Done({ Value: null }) => TypedResults.NoContent(),
            Outcome<Enacted>.Done({ Created: true } enacted) => TypedResults.Created(enacted.Location, enacted.Value),
            Outcome<Enacted>.Done(var enacted) => TypedResults.Ok(enacted.Value),
            var refused => refused.Problem(),
        };

    private static async Task<Results<Ok<ProposalView>, ProblemHttpResult>> WithdrawAsync(string proposalId, HttpContext context, GovernanceDesk desk) =>
        await desk.WithdrawAsync(proposalId, context.User.UserId() ?? "external-officer") is var outcome && outcome is Outcome<ProposalView>.Done(var proposal)
            ? TypedResults.Ok(proposal)
            : outcome.Problem();
}
