namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>
/// An account's sign-ins, which keep it from being dormant: an account nobody signed in to for
/// <c>Retention:DormantWarning</c> is warned by email, and for <c>Retention:DormantAccount</c> erased.
/// </summary>
[Alias("PrimeDirective.IUserActivity")]
public interface IUserActivity : IGrainWithStringKey
{
    /// <summary>The person signed in (a verified one-time code): the dormancy clock starts again.</summary>
    [Alias("SignedIn")]
    Task SignedInAsync();
}
