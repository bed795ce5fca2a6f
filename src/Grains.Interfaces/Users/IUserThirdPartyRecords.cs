using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>What a named source told us about a person.</summary>
/// <param name="Source">Who told us (e.g. a cloud provider's name).</param>
/// <param name="Kind">What it is (e.g. <c>provider-account-id</c>, <c>company</c>).</param>
/// <param name="Value">What we were told.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ThirdPartyRecord")]
public sealed record ThirdPartyRecord(
    [property: Id(0)] string Source,
    [property: Id(1)] string Kind,
    [property: Id(2), PersonalData] string Value);

/// <summary>A person's third-party records (the account grain implements it): kept while the account lives, correctable, erasable.</summary>
[Alias("PrimeDirective.IUserThirdPartyRecords")]
public interface IUserThirdPartyRecords : IGrainWithStringKey
{
    /// <summary>Keeps a record; returns its id, or <c>null</c> if the account is not active or holds the most records allowed.</summary>
    [Alias("AddThirdPartyRecord")]
    Task<string?> AddThirdPartyRecordAsync(ThirdPartyRecord record);

    /// <summary>The person corrects a record's value; <c>false</c> if there is no such record.</summary>
    [Alias("CorrectThirdPartyRecord")]
    Task<bool> CorrectThirdPartyRecordAsync(string recordId, [PersonalData] string value);

    /// <summary>The person erases a record; <c>false</c> if there is no such record.</summary>
    [Alias("RemoveThirdPartyRecord")]
    Task<bool> RemoveThirdPartyRecordAsync(string recordId);
}
