using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Grains.Tests.ClusterReports;

namespace PrimeDirective.Grains.Tests.ClusterAggregates;

public sealed class ClusterAggregatesTests
{
    private static (Grains.Clusters.ClusterAggregates Aggregates, AggregateProjector Projector, InMemoryAggregateStore Store) Wire(ClusterParts parts)
    {
        var store = new InMemoryAggregateStore();
        var projector = new AggregateProjector(store, Options.Create(new StatsOptions()), NullLogger<AggregateProjector>.Instance);
        return (new Grains.Clusters.ClusterAggregates(parts.Document, projector), projector, store);
    }

    [Fact]
    public async Task Only_the_first_report_of_a_day_is_projected_once_per_day()
    {
        var parts = new ClusterParts();
        var (aggregates, projector, store) = Wire(parts);
        var day = DateOnly.FromDateTime(parts.Clock.GetUtcNow().UtcDateTime);

        Assert.True(await aggregates.ProjectAsync(parts.Report(), parts.Clock.GetUtcNow()));
        Assert.False(await aggregates.ProjectAsync(parts.Report(), parts.Clock.GetUtcNow().AddHours(1)));
        await projector.FlushAsync();
        var counted = store.Read(day, day);
        Assert.NotEmpty(counted);
        Assert.All(counted, count => Assert.Equal(1, count.Clusters));

        Assert.True(await aggregates.ProjectAsync(parts.Report(), parts.Clock.GetUtcNow().AddDays(1)));
        Assert.Equal(day.AddDays(1), parts.State.Stored.CountedDay);
    }

    [Fact]
    public async Task A_day_another_activation_counted_meanwhile_is_not_counted_again()
    {
        var parts = new ClusterParts();
        var (aggregates, projector, store) = Wire(parts);
        var day = DateOnly.FromDateTime(parts.Clock.GetUtcNow().UtcDateTime);

        parts.State.ConflictOnNextWrite(other => other.CountedDay = day);
        Assert.False(await aggregates.ProjectAsync(parts.Report(), parts.Clock.GetUtcNow()));
        await projector.FlushAsync();

        Assert.Equal(1, parts.State.Conflicts);
        Assert.Empty(store.Read(day, day));
    }
}
