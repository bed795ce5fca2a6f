using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Tests.Infrastructure;

/// <summary>Fresh data subjects on a <see cref="GrainCluster"/>: every call makes new ids, so tests never share a grain.</summary>
public static class Subjects
{
    /// <summary>A new Flynn cluster: its id and bootstrap id (UUIDs, as Flynn sends them), in <paramref name="region"/>.</summary>
    public static FlynnCluster NewCluster(this GrainCluster cluster, string region = "eu")
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var clusterId = Guid.NewGuid().ToString();
        return new FlynnCluster(clusterId, Guid.NewGuid().ToString(), region, cluster.Grains.GetGrain<IClusterGrain>(cluster.ClusterKeys.For(region, clusterId)));
    }

    /// <summary>A new account, created as the email index creates it after a verified sign-up.</summary>
    public static async Task<Person> NewPersonAsync(this GrainCluster cluster, string region = "eu", DateOnly? birthDate = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var userId = SubjectIds.New(region);
        var key = cluster.UserKeys.ForUser(userId);
        var email = $"p{Guid.NewGuid():N}@example.org";
        var name = $"Person {Guid.NewGuid():N}";
        var grain = cluster.Grains.GetGrain<IUserGrain>(key);
        await grain.CreateAsync(new NewAccount(userId, email, name, birthDate ?? new DateOnly(1990, 5, 17)));
        return new Person(userId, key, email, name, region, grain);
    }
}

/// <summary>A cluster as Flynn knows it, and its grain.</summary>
public sealed record FlynnCluster(string ClusterId, string BootstrapId, string Region, IClusterGrain Grain)
{
    /// <summary>A JSON report (Flynn's shape after the gateway's checks) with a fresh report id unless given.</summary>
    public ClusterReport Report(
        string? reportId = "", string? ipAddress = "192.0.2.10", string version = "v20261207.0", double apps = 3, double? cpu = null, string? bootstrapId = null) =>
        new(
            ClusterId,
            bootstrapId ?? BootstrapId,
            reportId == string.Empty ? Guid.NewGuid().ToString("N") : reportId,
            version,
            ipAddress,
            ImmutableDictionary<string, double>.Empty.Add("running_apps", apps),
            cpu is { } value ? ImmutableDictionary<string, double>.Empty.Add("cpu", value) : ImmutableDictionary<string, double>.Empty,
            ImmutableDictionary<string, double>.Empty.Add("hosts", 1));

    /// <summary>A scheduler report (no report id, as <c>GET /measure/scheduler</c> hands it on).</summary>
    public ClusterReport SchedulerReport(string? ipAddress = "192.0.2.11") => Report(reportId: null, ipAddress: ipAddress);
}

/// <summary>A person's account and its grain.</summary>
public sealed record Person(string UserId, string Key, string Email, string Name, string Region, IUserGrain Grain);
