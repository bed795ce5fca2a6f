namespace PrimeDirective.Grains.Interfaces.Notices;

/// <summary>An account's authenticated use, as the gateway sees it on every request with a token.</summary>
[Alias("PrimeDirective.IUserPolicyUse")]
public interface IUserPolicyUse : IGrainWithStringKey
{
    /// <summary>
    /// Whether the account is active; the first use after a policy version took effect also records, in the consent
    /// history, that the person continued under it (once per version).
    /// </summary>
    [Alias("Use")]
    Task<bool> UseAsync();
}
