using System.Globalization;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>The ports tests hand their servers: outside the ephemeral range, never twice, free when handed out.</summary>
public sealed class FreePortTests
{
    [Fact]
    public void Ports_are_below_the_ephemeral_range_distinct_and_bindable()
    {
        var single = Enumerable.Range(0, 200).Select(_ => FreePort.Next()).ToList();
        var blocks = Enumerable.Range(0, 5).Select(_ => FreePort.Block(11)).ToList();
        var all = single.Concat(blocks.SelectMany(first => Enumerable.Range(first, 11))).ToList();

        var ephemeral = FreePort.EphemeralRangeStart();
        Assert.All(all, port => Assert.InRange(port, FreePort.RangeStart, Math.Min(FreePort.RangeEnd, ephemeral) - 1));
        Assert.All(all, port => Assert.True(port < 32_768, $"{port} is in Linux's default ephemeral range"));
        Assert.Equal(all.Count, all.Distinct().Count());

        // Not Orleans' or this service's default ports, which a developer's silo may hold.
        Assert.DoesNotContain(all, port => port is 11111 or 30000 or 11311 or 30311);
        Assert.All(all, port => Assert.True(FreePort.IsBindable(port), $"{port} was handed out but cannot be bound"));
    }

    [Fact]
    public void A_handed_out_port_cannot_be_reserved_by_another_test_process()
    {
        var port = FreePort.Next();

        // What another process's FreePort would do: take the port's lock file exclusively. It must not get it.
        var lockFile = Path.Combine(FreePort.LockDirectory, port.ToString(CultureInfo.InvariantCulture));
        Assert.Throws<IOException>(() => new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None).Dispose());
        Assert.NotEqual(port, FreePort.Next());
    }
}
