using Microsoft.Extensions.Compliance.Classification;

namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>The data classifications of Prime Directive; logging redacts every one of them.</summary>
public static class PrivacyTaxonomy
{
    /// <summary>The taxonomy's name.</summary>
    public const string Name = "PrimeDirective";

    /// <summary>Identifies a person or a cluster directly: name, email, IP address, cluster, bootstrap and user ids.</summary>
    public static DataClassification PersonalData { get; } = new(Name, nameof(PersonalData));

    /// <summary>Anything a person typed or sent us whose content we do not control (free text, report contents).</summary>
    public static DataClassification UserContent { get; } = new(Name, nameof(UserContent));
}

/// <summary>Marks a field or parameter that holds personal data (policy: "information which identifies you").</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue, AllowMultiple = false)]
public sealed class PersonalDataAttribute : DataClassificationAttribute
{
    /// <summary>Classifies the member as <see cref="PrivacyTaxonomy.PersonalData"/>.</summary>
    public PersonalDataAttribute()
        : base(PrivacyTaxonomy.PersonalData)
    {
    }
}

/// <summary>Marks a field or parameter whose content a person or a cluster supplied.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue, AllowMultiple = false)]
public sealed class UserContentAttribute : DataClassificationAttribute
{
    /// <summary>Classifies the member as <see cref="PrivacyTaxonomy.UserContent"/>.</summary>
    public UserContentAttribute()
        : base(PrivacyTaxonomy.UserContent)
    {
    }
}
