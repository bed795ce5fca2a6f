using System.Collections.Immutable;

namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>An identity by which a processor knows the subject (OpenDSR <c>subject_identities</c>).</summary>
/// <param name="Type"><c>email</c>, <c>controller_id</c> (our user id) or <c>cluster_id</c>.</param>
/// <param name="Value">The identity.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.SubjectIdentity")]
public sealed record SubjectIdentity(
    [property: Id(0)] string Type,
    [property: Id(1), PrimeDirective.Grains.Interfaces.Privacy.PersonalData] string Value);

/// <summary>Who received a subject's data by push and must be told of its erasure, and how they know the subject.</summary>
/// <param name="ProcessorIds">Processors that received a package of the subject.</param>
/// <param name="Identities">The subject's identities.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ErasureRecipients")]
public sealed record ErasureRecipients(
    [property: Id(0)] ImmutableArray<string> ProcessorIds,
    [property: Id(1)] ImmutableArray<SubjectIdentity> Identities);

/// <summary>One processor's answer to an erasure's propagation, as the receipt lists it.</summary>
/// <param name="ProcessorId">The processor.</param>
/// <param name="Status"><c>pending</c> until it answers 2xx, then <c>acknowledged</c>; <c>abandoned</c> if it did not within the propagation lifetime (the notice is destroyed).</param>
/// <param name="Attempts">Requests sent so far.</param>
/// <param name="LastAnswer">The last HTTP status it answered; <c>null</c> if none came.</param>
/// <param name="AcknowledgedAt">When it acknowledged.</param>
/// <param name="AbandonedAt">When it was abandoned.</param>
/// <param name="Refusal">Why it was closed unsent, if its discovery rules the request out (<c>erasure-not-supported</c>, <c>no-supported-identity</c>).</param>
/// <param name="Evidence">Its signed OpenDSR answer, as kept (never its <c>encoded_request</c>).</param>
/// <param name="ReportedStatus">The last status it reported in a verified callback (<c>pending</c>, <c>in_progress</c>, <c>completed</c>, <c>cancelled</c>).</param>
/// <param name="ExpectedCompletionAt">When it last said it expects to complete.</param>
/// <param name="Overdue">Whether that time has passed without it reporting <c>completed</c>.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ProcessorErasureOutcome")]
public sealed record ProcessorErasureOutcome(
    [property: Id(0)] string ProcessorId,
    [property: Id(1)] string Status,
    [property: Id(2)] int Attempts,
    [property: Id(3)] int? LastAnswer,
    [property: Id(4)] DateTimeOffset? AcknowledgedAt,
    [property: Id(5)] DateTimeOffset? AbandonedAt = null,
    [property: Id(6)] string? Refusal = null,
    [property: Id(7)] OpenDsr.OpenDsrEvidence? Evidence = null,
    [property: Id(8)] string? ReportedStatus = null,
    [property: Id(9)] DateTimeOffset? ExpectedCompletionAt = null,
    [property: Id(10)] bool Overdue = false);
