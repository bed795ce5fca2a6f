using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// Notices to people as rows (V028), written set-based: a fan-out's batch is one statement, a repeat of it (a silo killed
/// after the write, before its progress was recorded) stores nothing twice, the drain claims and settles emails in
/// batches, and erasure deletes the person's rows and nobody else's. Title, text and email are sealed per value.
/// </summary>
public sealed class PersonNoticeLogTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_repeated_batch_stores_each_notice_once_and_keeps_the_first_text_and_time()
    {
        await using var database = await MigratedAsync();
        await using var keys = await TestSealing.CreateKeyStoreAsync("person_notice");
        var log = Log(database);
        var campaign = $"breach-{Guid.NewGuid():N}";
        var people = Enumerable.Range(0, 50).Select(_ => $"eu/{Guid.NewGuid():N}").ToList();
        var first = await RowsAsync(keys.Sealer, people, campaign, "first canary text", s_now);

        var stored = await log.AppendAsync("eu", first, s_now.AddMinutes(1));
        Assert.Equal(people.ToHashSet(), stored.Where(notice => notice.New).Select(notice => notice.Person).ToHashSet());
        Assert.Equal(50, stored.Length);

        // The same batch again, as a resumed fan-out writes it, overlapping a batch of new people: only the new are stored.
        var newcomers = Enumerable.Range(0, 10).Select(_ => $"eu/{Guid.NewGuid():N}").ToList();
        var repeat = await RowsAsync(keys.Sealer, [.. people, .. newcomers], campaign, "second canary text", s_now.AddMinutes(5));
        var storedAgain = await log.AppendAsync("eu", repeat, s_now.AddMinutes(6));

        // Every row is answered: the new ones as stored now, the repeated ones as stored before (with the key they came through).
        Assert.Equal(newcomers.ToHashSet(), storedAgain.Where(notice => notice.New).Select(notice => notice.Person).ToHashSet());
        Assert.Equal(people.ToHashSet(), storedAgain.Where(notice => !notice.New).Select(notice => notice.Person).ToHashSet());
        Assert.All(storedAgain, notice => Assert.Equal(notice.Person, notice.Via));
        Assert.Equal(60L, await database.ScalarAsync<long>("select count(*) from person_notice where campaign_id = @c", ("c", campaign)));
        Assert.Equal(60L, await database.ScalarAsync<long>("select count(distinct (person, campaign_id)) from person_notice"));
        var notice = Assert.Single(await log.ForPersonAsync("eu", people[0]));
        Assert.Equal(s_now, notice.Row.At);
        Assert.Equal("pending", notice.EmailState);
        Assert.Equal("first canary text", await OpenAsync(keys.Sealer, PersonNoticeLog.BodyContext(people[0], campaign), notice.Row.Body));

        // Sealed: neither text nor the address is readable in any column.
        Assert.Equal(0L, await database.CountRowsContainingAsync("canary text"));
        Assert.Equal(0L, await database.CountRowsContainingAsync("@example.invalid"));
    }

    [Fact]
    public async Task A_drain_claims_due_emails_once_until_their_next_due_time_and_settling_forgets_the_email_but_keeps_the_notice()
    {
        await using var database = await MigratedAsync();
        await using var keys = await TestSealing.CreateKeyStoreAsync("person_notice");
        var log = Log(database);
        var campaign = $"policy-{Guid.NewGuid():N}";
        var people = Enumerable.Range(0, 6).Select(_ => $"eu/{Guid.NewGuid():N}").ToList();
        await log.AppendAsync("eu", await RowsAsync(keys.Sealer, people, campaign, "a policy change", s_now), s_now.AddMinutes(1));

        // Not due before the appending silo had its chance to hand them.
        Assert.Empty(await log.ClaimDueEmailsAsync("eu", s_now, s_now.AddMinutes(2), 100));
        var claimed = await log.ClaimDueEmailsAsync("eu", s_now.AddMinutes(1), s_now.AddMinutes(3), 100);
        Assert.Equal(people.ToHashSet(), claimed.Select(due => due.Person).ToHashSet());
        Assert.Equal($"{people[0]} <{Address(people[0])}>", await OpenAsync(keys.Sealer, PersonNoticeLog.EmailContext(people[0], campaign), claimed.Single(due => due.Person == people[0]).Email));
        Assert.Empty(await log.ClaimDueEmailsAsync("eu", s_now.AddMinutes(2), s_now.AddMinutes(4), 100));

        var fates = people.Select((person, i) => new NoticeEmailFate(person, campaign, i == 0 ? MessageFate.Undelivered : MessageFate.Delivered)).ToList();
        Assert.Equal(6, await log.SettleEmailsAsync("eu", fates));
        Assert.Equal(0, await log.SettleEmailsAsync("eu", fates));

        // Settled emails never come back, their sealed copies are gone, and every notice stays with its email's fate.
        Assert.Empty(await log.ClaimDueEmailsAsync("eu", s_now.AddDays(1), s_now.AddDays(2), 100));
        Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from person_notice where email is not null"));
        Assert.Equal("undelivered", Assert.Single(await log.ForPersonAsync("eu", people[0])).EmailState);
        Assert.Equal("delivered", Assert.Single(await log.ForPersonAsync("eu", people[1])).EmailState);
    }

    [Fact]
    public async Task Erasure_deletes_the_persons_notices_of_every_campaign_and_nobody_elses()
    {
        await using var database = await MigratedAsync();
        await using var keys = await TestSealing.CreateKeyStoreAsync("person_notice");
        var log = Log(database);
        var (erased, kept) = ($"eu/{Guid.NewGuid():N}", $"eu/{Guid.NewGuid():N}");
        foreach (var campaign in new[] { $"breach-{Guid.NewGuid():N}", $"policy-{Guid.NewGuid():N}" })
        {
            await log.AppendAsync("eu", await RowsAsync(keys.Sealer, [erased, kept], campaign, "notice", s_now), s_now);
        }

        Assert.Equal(2, await log.DeletePersonAsync("eu", erased));

        Assert.Empty(await log.ForPersonAsync("eu", erased));
        Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from person_notice where person = @p", ("p", erased)));
        Assert.Equal(2, (await log.ForPersonAsync("eu", kept)).Length);
        Assert.Equal(0, await log.DeletePersonAsync("eu", erased));
    }

    private static async Task<TestDatabase> MigratedAsync()
    {
        var database = await TestDatabase.CreateAsync("person_notice");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        return database;
    }

    private static PostgresPersonNoticeLog Log(TestDatabase database) =>
        new(new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString }));

    private static string Address(string person) => $"{person[3..11]}@example.invalid";

    private static async Task<List<PersonNoticeRow>> RowsAsync(Sealer sealer, IEnumerable<string> people, string campaign, string text, DateTimeOffset at)
    {
        var rows = new List<PersonNoticeRow>();
        foreach (var person in people)
        {
            rows.Add(new PersonNoticeRow(
                person, campaign, "breach", at, person,
                await sealer.SealAsync(PersonNoticeLog.BodyContext(person, campaign), Encoding.UTF8.GetBytes(text)),
                await sealer.SealAsync(PersonNoticeLog.EmailContext(person, campaign), Encoding.UTF8.GetBytes($"{person} <{Address(person)}>"))));
        }

        return rows;
    }

    private static async Task<string?> OpenAsync(Sealer sealer, SealContext context, byte[] sealedValue) =>
        await sealer.OpenAsync(context, sealedValue) is { } plain ? Encoding.UTF8.GetString(plain) : null;
}
