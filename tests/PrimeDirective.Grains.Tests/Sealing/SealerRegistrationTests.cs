using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.Sealing;

/// <summary>
/// <see cref="Sealer"/> is open to subclassing for one bench (bench/SealingPassThrough, "sealing on ÷ off"); a silo as
/// configured seals with the shipped class itself, and nothing shipped derives from it.
/// </summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class SealerRegistrationTests(GrainCluster cluster)
{
    [Fact]
    public void A_silo_seals_with_the_shipped_sealer_and_no_shipped_type_derives_from_it()
    {
        Assert.Equal(typeof(Sealer), cluster.Silo.GetRequiredService<Sealer>().GetType());

        var shipped = new[] { typeof(Sealer).Assembly, typeof(Interfaces.Keys.SubjectKey).Assembly };
        Assert.DoesNotContain(shipped.SelectMany(assembly => assembly.GetTypes()), type => type != typeof(Sealer) && typeof(Sealer).IsAssignableFrom(type));
    }
}
