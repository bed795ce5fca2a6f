using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Gateway.Application;

/// <summary>A person or a cluster an officer named, resolved to its grain in its region.</summary>
/// <param name="Grain">The subject's grain (a user or a cluster grain).</param>
/// <param name="Region">The region its data lives in.</param>
internal sealed record NamedSubject(IAddressable Grain, string Region);

/// <summary>
/// Resolves the subjects officers name (legal holds, disclosures): a user id names its region; a cluster id is looked
/// for in the named region (default the home region). An id that cannot name a subject resolves to <c>null</c>, which
/// the routes answer like an unknown subject.
/// </summary>
internal sealed class OfficerSubjects(UserGrains users, IGrainFactory grains, ClusterKeys keys)
{
    public NamedSubject? User(string? userId) =>
        SubjectIds.Parse(userId) is { } parsed && users.IsRegion(parsed.Region) ? new(users.User(userId!), parsed.Region) : null;

    public NamedSubject? Cluster(string? clusterId, string? region) =>
        Identifiers.Uuid(clusterId) is { } cluster && (region ?? users.Home) is var named && users.IsRegion(named)
            ? new(grains.GetGrain<IClusterGrain>(keys.For(named, cluster)), named)
            : null;

    /// <summary>The subject a body names: its <c>userId</c>, else its <c>clusterId</c> in its <c>region</c>.</summary>
    public NamedSubject? Of(SubjectBody subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return subject.UserId is { } userId ? User(userId) : Cluster(subject.ClusterId, subject.Region);
    }
}
