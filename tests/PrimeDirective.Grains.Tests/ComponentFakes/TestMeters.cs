using System.Diagnostics.Metrics;

namespace PrimeDirective.Grains.Tests.ComponentFakes;

/// <summary>A meter factory for components built by hand: its meters are the process's, and nothing here listens to them.</summary>
public sealed class TestMeters : IMeterFactory
{
    public static TestMeters Factory { get; } = new();

    public Meter Create(MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}
