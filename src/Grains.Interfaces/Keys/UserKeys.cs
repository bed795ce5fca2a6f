namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>Grain keys of people's subjects: <c>{region}/{hmac(id)}</c>, so no key, row or log line carries the id itself.</summary>
public sealed class UserKeys(Pseudonymizer pseudonymizer)
{
    /// <summary>The account's grain key; the region comes from the user id.</summary>
    public string ForUser(string userId) =>
        SubjectIds.Parse(userId) is { } parsed
            ? $"{parsed.Region}/{pseudonymizer.Pseudonymize("user", userId)}"
            : throw new ArgumentException("Not a well-formed user id.", nameof(userId));

    /// <summary>The email index entry of a normalised address in a region.</summary>
    public string ForEmail(string region, string normalisedEmail) => $"{region}/{pseudonymizer.Pseudonymize("email", normalisedEmail)}";

    /// <summary>The grain key of a privacy request (its id is random, not personal).</summary>
    public static string ForRequest(string requestId) =>
        SubjectIds.Parse(requestId) is { } parsed
            ? $"{parsed.Region}/{parsed.Random}"
            : throw new ArgumentException("Not a well-formed request id.", nameof(requestId));

    /// <summary>The review queue of a region.</summary>
    public static string ForReviews(string region) => $"{region}/reviews";
}
