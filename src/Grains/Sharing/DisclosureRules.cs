using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>The one rule every disclosure passes: its basis must hold at this moment, or it is refused naming that basis.</summary>
public static class DisclosureRules
{
    /// <summary>The shortest rationale that can carry a good-faith belief (harm prevention, legal decisions).</summary>
    public const int MinimumRationaleLength = 30;

    /// <summary>Whose rights, property or safety a harm-prevention disclosure may protect (policy's own list).</summary>
    public static readonly ImmutableArray<string> ProtectedParties = ["the-person", "other-users", "prime-directive", "the-public"];

    /// <summary>The organisational changes that let data pass to a successor or affiliate.</summary>
    public static readonly ImmutableArray<string> ChangeKinds = ["restructuring", "acquisition", "bankruptcy"];

    /// <summary>What the decision found: the failed condition, or the transfer it is.</summary>
    /// <param name="Refusal">The failed condition of the basis; <c>null</c> when it holds.</param>
    /// <param name="International">Whether the data leaves the subject's region.</param>
    /// <param name="RecipientRegion">Where the recipient holds it, when known.</param>
    public sealed record Decision(string? Refusal, bool International, string? RecipientRegion);

    /// <summary>Decides an order for a subject of <paramref name="subjectRegion"/> at <paramref name="now"/>.</summary>
    /// <param name="order">The order.</param>
    /// <param name="subjectRegion">The subject's region.</param>
    /// <param name="now">The policy's time.</param>
    /// <param name="consentGranted">The subject's <c>third-party-sharing</c> consent now; <c>null</c> for a subject who cannot consent (a cluster).</param>
    /// <param name="legalAuthorised">Whether a legal request decided <c>disclose</c> authorises exactly this disclosure.</param>
    public static Decision Decide(DisclosureOrder order, string subjectRegion, DateTimeOffset now, bool? consentGranted, bool legalAuthorised)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Basis switch
        {
            DisclosureBasis.Consent => new(consentGranted switch
            {
                null => "no-person-to-consent",
                false => "consent-not-granted",
                true => null,
            }, false, null),
            DisclosureBasis.Processor => Processor(order, subjectRegion, now),
            DisclosureBasis.Legal => new(legalAuthorised ? null : "no-decided-legal-request", false, null),
            DisclosureBasis.HarmPrevention => new(
                order.Rationale.Trim().Length < MinimumRationaleLength ? "rationale-missing"
                : order.Protects is null || !ProtectedParties.Contains(order.Protects) ? "protected-party-missing"
                : null,
                false,
                null),
            DisclosureBasis.Successor => new(
                order.Change is not { } change || !ChangeKinds.Contains(change.Kind) ? "no-organisational-change"
                : !string.Equals(change.Successor, order.Recipient, StringComparison.Ordinal) ? "recipient-not-successor"
                : null,
                false,
                null),
            _ => new("unknown-basis", false, null),
        };
    }

    private static Decision Processor(DisclosureOrder order, string subjectRegion, DateTimeOffset now)
    {
        if (order.Processor is not { } processor || processor.ProcessorId != order.Recipient)
        {
            return new("processor-not-registered", false, null);
        }

        var refusal = !processor.Contract.IsCurrentAt(now) ? "contract-not-current"
            : !order.Categories.All(processor.Categories.Contains) ? "category-not-covered"
            : !processor.Purposes.Contains(order.Purpose) ? "purpose-not-covered"
            : !processor.Regions.Contains(subjectRegion) ? "region-not-allowed"
            : null;
        return new(refusal, processor.Location != subjectRegion, processor.Location);
    }
}
