using System.Diagnostics.Metrics;

namespace PrimeDirective.Grains.Tests.ComponentFakes;

/// <summary>A meter factory for components built by hand: its meters carry it as their scope, so a test listens to its own factory's only.</summary>
public sealed class TestMeters : IMeterFactory
{
    public static TestMeters Factory { get; } = new();

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.Name, options.Version, options.Tags, this);
    }

    public void Dispose()
    {
    }
}
