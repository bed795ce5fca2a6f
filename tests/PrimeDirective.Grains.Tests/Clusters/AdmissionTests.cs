using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.Clusters;

[Collection(GrainClusterDefinition.Name)]
public sealed class AdmissionTests(GrainCluster cluster)
{
    [Fact]
    public async Task A_first_report_is_stored()
    {
        var clusterId = Guid.NewGuid().ToString();
        var bootstrap = Guid.NewGuid().ToString();
        var grain = cluster.Grains.GetGrain<IClusterGrain>(cluster.ClusterKeys.For("eu", clusterId));
        var receipt = await grain.RecordReportAsync(new ClusterReport(clusterId, bootstrap, "r1", "v1", "192.0.2.1",
            ImmutableDictionary<string, double>.Empty.Add("apps", 3), ImmutableDictionary<string, double>.Empty, ImmutableDictionary<string, double>.Empty));
        Assert.Equal(ReportOutcome.Stored, receipt.Outcome);
    }
}
