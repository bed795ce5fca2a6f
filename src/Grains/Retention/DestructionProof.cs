using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// The proof of one destruction: written into the subject's state by the same write that destroys the data, then
/// recorded in its region's ledger under its id (a repeat changes nothing), then dropped from the subject. A crash
/// anywhere in between leaves it pending with the subject, to be recorded when the subject is next active: at least
/// once, and never counted twice.
/// </summary>
/// <param name="Id">Unique id; the ledger records each id once.</param>
/// <param name="SubjectKind"><c>cluster</c> or <c>account</c>.</param>
/// <param name="Why"><c>expiry</c> or <c>request</c>.</param>
/// <param name="Counts">Items destroyed, by category.</param>
/// <param name="At">When the data was destroyed; it is counted on that day.</param>
public sealed record DestructionProof(string Id, string SubjectKind, string Why, ImmutableDictionary<DataCategory, int> Counts, DateTimeOffset At)
{
    public static DestructionProof New(string subjectKind, string why, ImmutableDictionary<DataCategory, int> counts, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), subjectKind, why, counts, at);
}

/// <summary>A subject's state that carries proofs of destruction not yet recorded in the ledger.</summary>
public interface IDestructionProofState
{
    /// <summary>Proofs written with a destruction and not yet confirmed recorded.</summary>
    List<DestructionProof> PendingProofs { get; }
}
