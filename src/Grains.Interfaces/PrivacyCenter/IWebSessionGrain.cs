using Orleans.Concurrency;

namespace PrimeDirective.Grains.Interfaces.PrivacyCenter;

/// <summary>
/// A Privacy Center session (one token in one browser's cookie), keyed <c>{region}/web-session-{tokenId}</c> in its
/// person's region. It holds nothing while the session runs; signing out records that the token no longer works,
/// until the token would have expired anyway.
/// </summary>
[Alias("PrimeDirective.IWebSessionGrain")]
public interface IWebSessionGrain : IGrainWithStringKey
{
    /// <summary>Whether the session was ended (signed out): its token must no longer be accepted.</summary>
    [Alias("IsEnded")]
    [ReadOnly]
    Task<bool> IsEndedAsync();

    /// <summary>Ends the session; the record is kept until <paramref name="tokenExpiresAt"/>, then forgotten.</summary>
    [Alias("End")]
    Task EndAsync(DateTimeOffset tokenExpiresAt);
}

/// <summary>Keys of Privacy Center sessions.</summary>
public static class WebSessionKeys
{
    /// <summary>The grain key of the session of the token <paramref name="tokenId"/> (its random <c>jti</c>) in <paramref name="region"/>.</summary>
    public static string For(string region, string tokenId) => $"{region}/web-session-{tokenId}";
}
