using System.Security.Cryptography;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Notices;

/// <summary>A person's erasure deletes their notice rows (V028), of every campaign, and leaves everyone else's.</summary>
[Collection(TestCollections.SharedService)]
public sealed class PersonNoticeErasureTests(SharedService service)
{
    [Fact]
    public async Task Erasing_a_person_deletes_their_notice_rows_and_nobody_elses()
    {
        var (erased, kept) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));
        var keys = Erasure.KeysOf(service).Users;
        var (erasedKey, keptKey) = (keys.ForUser(erased.UserId), keys.ForUser(kept.UserId));
        var log = new PostgresPersonNoticeLog(new RegionDatabases(new Dictionary<string, string> { ["eu"] = service.Database.ConnectionString }));
        var now = DateTimeOffset.UtcNow;
        var campaigns = new[] { $"breach-{Guid.NewGuid():N}", $"policy-{Guid.NewGuid():N}" };
        foreach (var campaign in campaigns)
        {
            Assert.Equal(2, (await log.AppendAsync("eu", [Row(erasedKey, campaign, now), Row(keptKey, campaign, now)], now.AddDays(1))).Count(notice => notice.New));
        }

        var (_, receiptUrl) = await Erasure.EraseAsync(service, erased);
        await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(30));

        Assert.Empty(await log.ForPersonAsync("eu", erasedKey));
        Assert.Equal(0L, await service.Database.ScalarAsync<long>("select count(*) from person_notice where person = @p", ("p", erasedKey)));
        Assert.Equal(campaigns.Order(StringComparer.Ordinal), (await log.ForPersonAsync("eu", keptKey)).Select(notice => notice.Row.CampaignId).Order(StringComparer.Ordinal));
    }

    private static PersonNoticeRow Row(string person, string campaign, DateTimeOffset at) =>
        new(person, campaign, "breach", at, person, RandomNumberGenerator.GetBytes(48), RandomNumberGenerator.GetBytes(64));
}
