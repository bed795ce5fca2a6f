using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.Transparency;

/// <summary>A legal request counts itself for the transparency report from its own state: once received (and gagged), once decided, by its authority's kind only.</summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class LegalRequestCountTests(GrainCluster cluster)
{
    [Fact]
    public async Task A_legal_request_is_counted_once_received_gagged_and_decided_however_often_it_is_asked()
    {
        var person = await cluster.NewPersonAsync();
        var region = SubjectIds.Parse(person.UserId)!.Value.Region;
        var log = cluster.Grains.GetGrain<ITransparencyRegionGrain>(TransparencyKeys.Region(region));
        var before = Legal(await log.TalliesAsync());
        var requestId = SubjectIds.New(region);
        var legal = cluster.Grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId));
        var receipt = new LegalRequestReceipt(
            requestId, "Smith v. Jones", "CV-2027-118", person.UserId, [DataCategory.Account], cluster.Clock.GetUtcNow().AddDays(30), "officer-1", LegalAuthorityKind.PrivateParty);

        await legal.ReceiveAsync(receipt, placeHold: false);
        await legal.ReceiveAsync(receipt, placeHold: false);
        await legal.DecideAsync(LegalDecisionKind.Reject, "Overbroad: the subpoena names no account.", "officer-1");
        await legal.DecideAsync(LegalDecisionKind.Reject, "Overbroad: the subpoena names no account.", "officer-1");

        var after = Legal(await log.TalliesAsync());
        var added = after.Select(pair => (pair.Key, Count: pair.Value - before.GetValueOrDefault(pair.Key))).Where(pair => pair.Count != 0).ToDictionary();
        Assert.Equal(new Dictionary<(string, string), long>
        {
            [(TransparencyMeasures.LegalReceived, "private-party")] = 1,
            [(TransparencyMeasures.LegalGagged, string.Empty)] = 1,
            [(TransparencyMeasures.LegalRejected, "private-party")] = 1,
        }, added);
    }

    /// <summary>The legal measures of the cluster's current half-year, summed by measure and kind.</summary>
    private Dictionary<(string Measure, string Kind), long> Legal(IEnumerable<TransparencyTally> tallies)
    {
        var period = PrimeDirective.Grains.Transparency.HalfYears.Of(cluster.Clock.GetUtcNow());
        return tallies.Where(tally => tally.Period == period && tally.Measure.StartsWith("legal-", StringComparison.Ordinal))
            .GroupBy(tally => (tally.Measure, tally.Kind)).ToDictionary(group => group.Key, group => group.Sum(tally => tally.Count));
    }
}
