namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>
/// How long data kept "while its subject lives" is really kept: the rule that ends it, as an export shows it, and when
/// the rule next acts on this subject.
/// </summary>
/// <param name="Data">What the rule covers (<c>account</c>, <c>identifiers</c>, <c>parent-details</c>).</param>
/// <param name="Rule">The rule, in words.</param>
/// <param name="NextAt">When it next acts on this subject, if that is known now.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.RetentionRule")]
public sealed record RetentionRule(
    [property: Id(0)] string Data,
    [property: Id(1)] string Rule,
    [property: Id(2)] DateTimeOffset? NextAt);
