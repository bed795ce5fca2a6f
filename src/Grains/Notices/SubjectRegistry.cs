using System.Collections.Immutable;

namespace PrimeDirective.Grains.Notices;

/// <summary>A subject in its region's list: its pseudonymous grain key and what it is.</summary>
/// <param name="Key">The grain key (<c>{region}/{hmac}</c>).</param>
/// <param name="Kind"><see cref="SubjectKinds.User"/> or <see cref="SubjectKinds.Cluster"/>.</param>
public sealed record RegisteredSubject(string Key, string Kind);

/// <summary>The kinds of subjects in the registry.</summary>
public static class SubjectKinds
{
    public const string User = "user";

    public const string Cluster = "cluster";
}

/// <summary>
/// Each region's list of its subjects (V007), kept by the subjects' grains: added once at creation, removed at
/// destruction. Notices page through it, so no grain or query ever holds a whole region.
/// </summary>
public interface ISubjectRegistry
{
    /// <summary>Adds a subject (nothing if it is listed already).</summary>
    Task AddAsync(string region, string key, string kind);

    /// <summary>Removes a subject (nothing if it is not listed).</summary>
    Task RemoveAsync(string region, string key);

    /// <summary>Up to <paramref name="limit"/> subjects of the region after <paramref name="after"/>, in key order; only <paramref name="kind"/> when given.</summary>
    Task<ImmutableArray<RegisteredSubject>> PageAsync(string region, string? after, int limit, string? kind);

    /// <summary>How many subjects the region lists (of <paramref name="kind"/> when given).</summary>
    Task<long> CountAsync(string region, string? kind);
}
