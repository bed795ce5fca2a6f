using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace PrimeDirective.Gateway.Governance;

/// <summary>What an approved action did: its answer, where it lives, whether it made something new, and the audit's line.</summary>
/// <param name="Value">The action's answer (what its route answers), or <c>null</c> for none.</param>
/// <param name="Location">Where what it made lives, if anywhere (a package's capability URL too: never stored).</param>
/// <param name="Created">Whether it made something new.</param>
/// <param name="Audit">What the proposal book keeps of it: an id or path, never a secret or a person's id.</param>
internal sealed record Enacted(object? Value, string? Location, bool Created, string Audit);

/// <summary>
/// The two-person rule, for the routes and the officer's pages alike: an action it governs is proposed by one officer
/// (its checked order kept with the proposal) and carried out, once, when a different officer approves it, with both
/// officers named in the action's audit. Either may withdraw it before; unapproved, it expires.
/// </summary>
internal sealed class GovernanceDesk(
    GovernanceOptions options, UserGrains users, IGrainFactory grains, IOptions<HttpJsonOptions> json, IOptions<RegionOptions> regions, TimeProvider time,
    OfficerSubjects subjects, SharingDesk sharing, LegalRequestDesk legalRequests, NoticeDesk notices)
{
    private const string Unknown = "proposal";

    /// <summary>Whether <paramref name="action"/> needs a second officer here.</summary>
    public bool Governs(GovernedAction action) => options.Governed.Contains(action);

    /// <summary>Whether a disclosure order needs a second officer (every basis but consent).</summary>
    public bool Governs(DisclosureBody body) => body is not null && body.Basis != DisclosureBasis.Consent && Governs(GovernedAction.Disclosure);

    /// <summary>
    /// Whether a legal request's decision needs a second officer: <c>disclose</c> does, on a request still undecided (an
    /// unknown or decided request is answered as before: 404, the same decision again, or 409).
    /// </summary>
    public async Task<bool> GovernsAsync(string requestId, LegalDecisionBody body) =>
        body is { Decision: LegalDecisionKind.Disclose } && Governs(GovernedAction.LegalDisclosure) && await legalRequests.GetAsync(requestId) is { Decision: null };

    /// <summary>
    /// Whether a policy version needs a second officer: a substantive one not yet published does (a repeat or a conflicting
    /// version under a published name is answered as before: 200 or 409).
    /// </summary>
    public async Task<bool> GovernsAsync(PolicyVersionBody body) =>
        body is { Substantive: true } && Governs(GovernedAction.SubstantivePolicyVersion) && !await notices.IsPublishedAsync(body.Version);

    /// <summary>Proposes a checked disclosure order about a subject we hold (whether its basis holds is decided at approval).</summary>
    public async Task<Outcome<ProposalView>> ProposeAsync(DisclosureBody body, string officerId) =>
        subjects.Of(body.Subject) is null
            ? new Outcome<ProposalView>.Unknown("subject")
            : await ProposeAsync(
                GovernedAction.Disclosure,
                $"Disclose {Subject(body.Subject.UserId, body.Subject.ClusterId, body.Subject.Region)}: {string.Join(", ", body.Categories.Select(WireNames.Of))} to {body.Recipient}, basis {WireNames.Of(body.Basis)}",
                body,
                officerId,
                closed: $"Disclosure on the basis {WireNames.Of(body.Basis)}");

    /// <summary>Proposes a checked <c>disclose</c> decision on legal request <paramref name="requestId"/>, which must still wait for one.</summary>
    public async Task<Outcome<ProposalView>> ProposeAsync(string requestId, LegalDecisionBody body, string officerId) =>
        await legalRequests.GetAsync(requestId) switch
        {
            null => new Outcome<ProposalView>.Unknown("legal request"),
            { Decision: not null } => new Outcome<ProposalView>.Conflict("decision", "The request is already decided.", "Not possible in the request's state."),
            _ => await ProposeAsync(
                GovernedAction.LegalDisclosure, $"Disclose under legal request {requestId}", body, officerId, $"Disclosure under legal request {requestId}", requestId),
        };

    /// <summary>Proposes a checked breach declaration.</summary>
    public Task<Outcome<ProposalView>> ProposeAsync(BreachBody body, string officerId) => ProposeAsync(
        GovernedAction.Breach,
        $"Declare a breach of {string.Join(", ", body.CategoryNames)} in {string.Join(", ", body.Regions)}, exposed {body.ExposedFrom} to {body.ExposedUntil}, and notify everyone affected",
        body,
        officerId,
        closed: $"Breach of {string.Join(", ", body.CategoryNames)} in {string.Join(", ", body.Regions)}");

    /// <summary>Proposes a checked substantive policy version that would not take effect too soon if published now.</summary>
    public async Task<Outcome<ProposalView>> ProposeAsync(PolicyVersionBody body, string officerId) => await notices.TooSoonAsync(body) is { } tooSoon
        ? new Outcome<ProposalView>.Invalid("effectiveAt", tooSoon)
        : await ProposeAsync(
        GovernedAction.SubstantivePolicyVersion,
        $"Publish substantive policy version {body.Version}, effective {body.EffectiveAt}, and announce it to everyone",
        body,
        officerId,
        closed: $"Substantive policy version {body.Version}");

    /// <summary>Proposes lifting the legal hold that runs on <paramref name="subject"/>, a person (<paramref name="region"/> <c>null</c>) or a cluster.</summary>
    public async Task<Outcome<ProposalView>> ProposeLiftAsync(NamedSubject? subject, string subjectId, string? region, string officerId) =>
        await LegalHoldDesk.FindAsync(subject) is not Outcome<LegalHold?>.Done({ })
            ? new Outcome<ProposalView>.Unknown("legal hold")
            : await ProposeAsync<object>(
                GovernedAction.LegalHoldLift,
                $"Lift the legal hold of {(region is null ? Subject(subjectId, null, null) : Subject(null, subjectId, region))}",
                null,
                officerId,
                $"Lift of a {(region is null ? "person" : "cluster")}'s legal hold",
                subjectId,
                region);

    /// <summary>Proposes a checked order: kept, with what it does, until a second officer approves or it expires.</summary>
    private async Task<Outcome<ProposalView>> ProposeAsync<TBody>(
        GovernedAction action, string summary, TBody? body, string officerId, string closed, string? target = null, string? region = null)
        where TBody : class
    {
        var text = body is null ? null : JsonSerializer.Serialize(body, json.Value.SerializerOptions.GetTypeInfo(typeof(TBody)));
        var (outcome, proposal) = await Book().ProposeAsync(new ProposalDraft(action, summary, target, region, text, closed), officerId, options.ProposalLifetime);
        return outcome == ProposalCommandOutcome.Done
            ? Outcome.Done(ProposalView.From(proposal!))
            : new Outcome<ProposalView>.Conflict("proposal", $"{GovernanceKeys.MaxOpen} proposals are open: decide or withdraw some first.", "Too many open proposals.");
    }

    /// <summary>
    /// Approves a proposal as <paramref name="officerId"/> (not its proposer) and carries out its action once, as it is
    /// decided now: its order is checked again and its basis must hold now. What the action answers, or why not.
    /// </summary>
    public async Task<Outcome<Enacted>> ApproveAsync(string proposalId, string officerId)
    {
        if (!IsProposalId(proposalId))
        {
            return new Outcome<Enacted>.Unknown(Unknown);
        }

        var (outcome, proposal) = await Book().ApproveAsync(proposalId, officerId);
        if (outcome != ProposalCommandOutcome.Done)
        {
            return Refusal<Enacted>(outcome, proposal);
        }

        var both = $"{proposal!.ProposedBy}, approved by {officerId}";
        var enacted = await EnactAsync(proposal.Draft, both);
        await Book().FinishAsync(proposalId, enacted is Outcome<Enacted>.Done, Describe(enacted));
        return enacted;
    }

    /// <summary>Withdraws an open proposal (its proposer or any other officer): it never happens.</summary>
    public async Task<Outcome<ProposalView>> WithdrawAsync(string proposalId, string officerId)
    {
        if (!IsProposalId(proposalId))
        {
            return new Outcome<ProposalView>.Unknown(Unknown);
        }

        var (outcome, proposal) = await Book().WithdrawAsync(proposalId, officerId);
        return outcome == ProposalCommandOutcome.Done ? Outcome.Done(ProposalView.From(proposal!)) : Refusal<ProposalView>(outcome, proposal);
    }

    /// <summary>One proposal, or <c>null</c>.</summary>
    public async Task<ProposalView?> GetAsync(string proposalId) =>
        IsProposalId(proposalId) && await Book().GetAsync(proposalId) is { } proposal ? ProposalView.From(proposal) : null;

    /// <summary>Open proposals (oldest first), then decided ones (newest first).</summary>
    public async Task<ImmutableArray<ProposalView>> ListAsync() => [.. (await Book().ListAsync()).Select(ProposalView.From)];

    /// <summary>Whether <paramref name="text"/> has the shape of a proposal id.</summary>
    public static bool IsProposalId(string text) => text.Length == 32 && text.All(char.IsAsciiHexDigitLower);

    private async Task<Outcome<Enacted>> EnactAsync(ProposalDraft draft, string officers)
    {
        switch (draft.Action)
        {
            case GovernedAction.Disclosure when Body<DisclosureBody>(draft) is var (body, invalid):
                return invalid ?? Map(await sharing.DiscloseAsync(body!, officers), made => new Enacted(made, made.PackageUrl, true, $"disclosure {made.Disclosure.DisclosureId}"));
            case GovernedAction.LegalDisclosure when Body<LegalDecisionBody>(draft) is var (body, invalid):
                return invalid ?? Map(await legalRequests.DecideAsync(draft.Target!, body!, officers), view => new Enacted(view, null, false, $"legal request {draft.Target} decided"));
            case GovernedAction.Breach when Body<BreachBody>(draft) is var (body, invalid):
                return invalid ?? await DeclareAsync(body!, officers);
            case GovernedAction.SubstantivePolicyVersion when Body<PolicyVersionBody>(draft) is var (body, invalid):
                return invalid ?? Map(await notices.PublishAsync(body!), published => new Enacted(published.Document, $"/v1/policy/{published.Document.Version}", published.Created, $"/v1/policy/{published.Document.Version}"));
            case GovernedAction.LegalHoldLift:
                var subject = draft.Region is null ? subjects.User(draft.Target) : subjects.Cluster(draft.Target, draft.Region);
                return Map(await LegalHoldDesk.LiftAsync(subject, officers), _ => new Enacted(null, null, false, "hold lifted"));
            default:
                throw new InvalidOperationException("A proposal of an action this gateway does not know.");
        }
    }

    private async Task<Outcome<Enacted>> DeclareAsync(BreachBody body, string officers)
    {
        var breach = await notices.DeclareBreachAsync(body, officers);
        return Outcome.Done(new Enacted(breach, $"/v1/admin/breaches/{breach.Id}", true, $"/v1/admin/breaches/{breach.Id}"));
    }

    /// <summary>The proposal's order, checked again now by its route's own rules; or why it no longer passes.</summary>
    private (T? Body, Outcome<Enacted>? Invalid) Body<T>(ProposalDraft draft)
        where T : class, IRequestBody
    {
        var parsed = (T)JsonSerializer.Deserialize(draft.Body!, json.Value.SerializerOptions.GetTypeInfo(typeof(T)))!;
        var check = new RequestCheck(time.GetUtcNow(), regions.Value);
        var body = (T)parsed.Check(check);
        return check.Values.Concat(check.Shape).FirstOrDefault() is { Key: { } field } problem
            ? (null, new Outcome<Enacted>.Invalid(field, string.Join(" ", problem.Value)))
            : (body, null);
    }

    /// <summary>A command's outcome as what it enacted: done mapped, any refusal as it was.</summary>
    private static Outcome<Enacted> Map<T>(Outcome<T> outcome, Func<T, Enacted> done) => outcome switch
    {
        Outcome<T>.Done(var value) => Outcome.Done(done(value)),
        Outcome<T>.Unknown unknown => new Outcome<Enacted>.Unknown(unknown.What),
        Outcome<T>.Conflict conflict => new Outcome<Enacted>.Conflict(conflict.Field, conflict.Detail, conflict.Title, conflict.Type),
        Outcome<T>.Invalid invalid => new Outcome<Enacted>.Invalid(invalid.Field, invalid.Detail),
        Outcome<T>.BasisNotHeld refused => new Outcome<Enacted>.BasisNotHeld(refused.Basis, refused.Condition),
        _ => throw new InvalidOperationException("An outcome this desk does not know."),
    };

    /// <summary>What came of an approval, for the audit: where the result lives, or the refusal's kind (no value).</summary>
    private static string Describe(Outcome<Enacted> outcome) => outcome switch
    {
        Outcome<Enacted>.Done(var enacted) => $"done: {enacted.Audit}",
        Outcome<Enacted>.Unknown unknown => $"refused: no {unknown.What} is known",
        Outcome<Enacted>.Conflict conflict => $"refused: {conflict.Title}",
        Outcome<Enacted>.Invalid invalid => $"refused: {invalid.Field} {invalid.Detail}",
        Outcome<Enacted>.BasisNotHeld refused => $"refused: the basis '{WireNames.Of(refused.Basis)}' does not hold",
        _ => "refused",
    };

    private static Outcome<T> Refusal<T>(ProposalCommandOutcome outcome, Proposal? proposal) => outcome switch
    {
        ProposalCommandOutcome.SameOfficer => new Outcome<T>.Conflict(
            "proposal", "The officer who proposed an action cannot approve it: a different officer must.", "A second officer must approve."),
        ProposalCommandOutcome.NotOpen => new Outcome<T>.Conflict(
            "proposal", $"The proposal is {WireNames.Of(proposal!.Status)}: only an open proposal can be approved or withdrawn.", "The proposal is not open."),
        _ => new Outcome<T>.Unknown(Unknown),
    };

    private static string Subject(string? userId, string? clusterId, string? region) =>
        userId is not null ? $"person {userId}" : $"cluster {clusterId} ({region})";

    private IProposalBookGrain Book() => grains.GetGrain<IProposalBookGrain>(GovernanceKeys.Book(users.Home));
}
