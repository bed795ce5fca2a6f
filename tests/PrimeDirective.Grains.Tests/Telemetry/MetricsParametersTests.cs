using System.Reflection;
using PrimeDirective.Grains.OpenDsr;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Tests.Telemetry;

/// <summary>
/// Components that record into the meter take their metrics class as a required, non-null parameter: one built without
/// it would silently record nothing (a key store with no latency, a fence that is not counted).
/// </summary>
public sealed class MetricsParametersTests
{
    [Theory]
    [InlineData(typeof(KeyStore))]
    [InlineData(typeof(KeyShredder))]
    [InlineData(typeof(EpochKeyShredder))]
    [InlineData(typeof(DisclosureDesk))]
    [InlineData(typeof(OpenDsrCallbacks))]
    public void A_component_that_records_metrics_cannot_be_built_without_them(Type component)
    {
        var constructor = Assert.Single(component.GetConstructors());
        var metrics = Assert.Single(constructor.GetParameters(), parameter => parameter.ParameterType.Name.EndsWith("Metrics", StringComparison.Ordinal));
        Assert.False(metrics.IsOptional, $"{component.Name}'s {metrics.Name} is optional");
        Assert.Equal(NullabilityState.NotNull, new NullabilityInfoContext().Create(metrics).WriteState);
    }
}
