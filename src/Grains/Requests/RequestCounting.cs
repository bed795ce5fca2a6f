using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Transparency;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// What the transparency report counts of a privacy request, read from the request's own state: received, then completed
/// (with the whole days it took) or denied. An erasure we started ourselves (an account under 13, a dormant one) is no
/// data-subject request and is not counted; a child-removal request that expired undecided is neither completed nor denied.
/// </summary>
internal sealed class RequestCounting(SubjectDocument<PrivacyRequestState> document, ITransparencyLog log, string grainKey, string region)
{
    /// <summary>Counts what the state says happened and was not counted yet.</summary>
    public Task CountAsync() => TransparencyCounts.CountAsync(document.Persisted, log, region, Implied(), document.OnUnknownOutcome);

    /// <summary>The report's kind of the request; <c>null</c> when it is none of a person's requests.</summary>
    public static string? KindOf(PrivacyRequestState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state switch
        {
            { Kind: PrivacyRequestKinds.ChildRemoval } => SubjectRequestKinds.ChildRemoval,
            { Kind: PrivacyRequestKinds.ClusterErasure } => SubjectRequestKinds.Erasure,
            { Kind: PrivacyRequestKinds.Erasure, Reason: "under-13" or Users.Dormancy.ErasureReason } => null,
            { Kind: PrivacyRequestKinds.Erasure } => SubjectRequestKinds.Erasure,
            _ => null,
        };
    }

    private IEnumerable<TransparencyEvent> Implied()
    {
        var current = document.State;
        if (current.RequestId is null || KindOf(current) is not { } kind)
        {
            yield break;
        }

        yield return TransparencyCounts.Of(grainKey, TransparencyMeasures.RequestReceived, current.SubmittedAt, kind);
        if (current is { Status: PrivacyRequestStatus.Completed, CompletedAt: { } completed })
        {
            yield return TransparencyCounts.Of(
                grainKey, TransparencyMeasures.RequestCompleted, completed, kind, TransparencyCounts.DaysBetween(current.SubmittedAt, completed));
        }
        else if (current is { Status: PrivacyRequestStatus.Rejected, CompletedAt: { } denied })
        {
            yield return TransparencyCounts.Of(grainKey, TransparencyMeasures.RequestDenied, denied, kind);
        }
    }
}
