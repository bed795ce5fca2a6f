namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>A person's tracking preferences as signals from their browser change them (the account grain implements it).</summary>
[Alias("PrimeDirective.IUserTracking")]
public interface IUserTracking : IGrainWithStringKey
{
    /// <summary>
    /// The person used the Privacy Center with Global Privacy Control on: their <c>analytics</c> consent is withdrawn and
    /// the withdrawal recorded as caused by the signal. Nothing changes if it was not granted.
    /// </summary>
    /// <returns>The analytics consent now in force; <c>null</c> if the account is not active.</returns>
    [Alias("WithdrawAnalyticsForGpc")]
    Task<ConsentState?> WithdrawAnalyticsForGpcAsync();
}
