using System.Collections.Immutable;

namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>Where the rotation of the key-encryption keys (KEKs) stands: what officers see at <c>GET /v1/admin/keys/rotation</c>.</summary>
/// <param name="Active">The version that wraps new data keys and re-wraps the others.</param>
/// <param name="Remaining">Live keys still wrapped by another version (0 once the re-wrap is done).</param>
/// <param name="MaxAge">How long after it stops being active a version is destroyed (<c>Keys:KekMaxAge</c>).</param>
/// <param name="Versions">Every version recorded, oldest first.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.KekRotationStatus")]
public sealed record KekRotationStatus(int Active, long Remaining, TimeSpan MaxAge, ImmutableArray<KekVersionStatus> Versions);

/// <summary>One KEK version: how many live keys it wraps and its life (no key material, ever).</summary>
/// <param name="Version">The version number.</param>
/// <param name="LiveKeys">Live data, epoch and hold keys it wraps.</param>
/// <param name="ActivatedAt">When it became active (<c>null</c>: before the history was kept).</param>
/// <param name="DeactivatedAt">When another version became active; <c>null</c> while it is the active one.</param>
/// <param name="DestroysAt">When its material is dropped from use (<see cref="DeactivatedAt"/> + max age).</param>
/// <param name="DestroyedAt">When it was destroyed; <c>null</c> while it still unwraps.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.KekVersionStatus")]
public sealed record KekVersionStatus(
    int Version, long LiveKeys, DateTimeOffset? ActivatedAt, DateTimeOffset? DeactivatedAt, DateTimeOffset? DestroysAt, DateTimeOffset? DestroyedAt);

/// <summary>Reads the KEK rotation's progress from the key store (any silo answers; the re-wrap runs on every silo).</summary>
[Alias("PrimeDirective.IKekRotationGrain")]
public interface IKekRotationGrain : IGrainWithIntegerKey
{
    /// <summary>The rotation's progress now.</summary>
    [Alias("Status")]
    Task<KekRotationStatus> StatusAsync();
}
