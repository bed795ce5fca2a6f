using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A fan-out's notices and their emails are rows appended in batches (V028), and no account is armed for delivery at all
/// (no reminder, no outbox mark): each silo's drain delivers the rows' emails, a silo that died holding some leaves them
/// to another silo's drain, and each person still gets their one message.
/// </summary>
public sealed class OutboxMarkTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_breach_over_many_people_appends_their_notices_in_shared_statements_arms_no_account_and_each_gets_one_notice_and_one_email()
    {
        await using var service = await ServiceHost.StartOwnedAsync<HeldMailService>();
        var officer = await service.OfficerAsync("ap");
        var people = new List<Person>();
        for (var i = 0; i < 24; i++)
        {
            people.Add(await service.SignUpAsync("eu"));
        }

        Assert.Equal(0, await MarksAsync(service));
        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["account"], now.AddDays(-1), now.AddHours(1)));
        Assert.Equal(24, (long)(await DoneAsync(service.Admin!, officer, breach))["notified"]!);

        // Every email is held by the transport: each notice is a row appended by statements shared with others, its
        // email pending; no account was marked nor registered a reminder of its own.
        Assert.Equal(24, await PendingAsync(service));
        var statements = await service.Database.ScalarAsync<long>("select count(distinct xmin::text) from person_notice where region = 'eu'");
        Assert.True(statements < 24, $"24 notices were written by {statements} statements");
        Assert.Equal(0, await MarksAsync(service));
        Assert.Equal(0, await service.Database.ScalarAsync<long>("select count(*) from reminder where reminder_name = 'outbox'"));

        service.Release.TrySetResult();
        foreach (var person in people)
        {
            Assert.Single(await NotificationsAsync(service.Http, person, "breach"));
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, s_wait, "the breach email");
        }

        await Eventually.ReturnsAsync(() => PendingAsync(service), pending => pending == 0, s_wait, "every row's email settled");
        Assert.Equal(24, await service.Database.ScalarAsync<long>("select count(*) from person_notice where email_state = 'delivered' and email is null"));
        Assert.Equal(0, await MarksAsync(service));
        foreach (var person in people)
        {
            Assert.Equal(1, await EmailsAsync(service, person, BreachTitle));
        }

        Assert.Equal(0, await EmailsAsync(service, officer, BreachTitle));
    }

    [Fact]
    public async Task Emails_held_on_a_silo_that_died_are_delivered_by_the_drain_of_another_silo_each_as_one_message()
    {
        await using var service = await ServiceHost.StartOwnedAsync<HeldMailService>();
        await service.StartSiloAsync();
        var officer = await service.OfficerAsync("ap");
        var people = new List<Person>();
        for (var i = 0; i < 12; i++)
        {
            people.Add(await service.SignUpAsync("eu"));
        }

        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["account"], now.AddDays(-1), now.AddHours(1)));
        Assert.Equal(12, (long)(await DoneAsync(service.Admin!, officer, breach))["notified"]!);
        Assert.Equal(12, await PendingAsync(service));
        Assert.Equal(0, await MarksAsync(service));

        // The first silo dies holding the emails its drain claimed; nothing but their pending rows brings those back.
        await service.KillSiloAsync(service.Silos[0]);
        await service.StartSiloAsync();
        service.Release.TrySetResult();
        foreach (var person in people)
        {
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, s_wait, "the breach email after the crash");
        }

        await Eventually.ReturnsAsync(() => PendingAsync(service), pending => pending == 0, s_wait, "every row's email settled");
        // At least once, as the design states: an email handed by the dead silo and again by the drain that took over may
        // be written twice, but every copy is the one message of its row (one message id), never a second notice.
        foreach (var person in people)
        {
            Assert.Single(BreachMessageIds(service, person).Distinct(StringComparer.Ordinal));
            Assert.Single(await NotificationsAsync(service.Http, person, "breach"));
        }

        Assert.Equal(0, await service.Database.ScalarAsync<long>("select count(*) from reminder where reminder_name = 'outbox'"));
        Assert.Equal(0, await EmailsAsync(service, officer, BreachTitle));
    }

    /// <summary>The outbox message id of each breach email file written to <paramref name="person"/> (files are named <c>{written}-{owner tag}-{message id}.eml</c>).</summary>
    private static List<string> BreachMessageIds(ServiceHost service, Person person) =>
        [.. Directory.EnumerateFiles(service.Outbox.Directory, "*.eml")
            .Select(file => (File: file, Message: MimeMessage.Load(file)))
            .Where(pair => pair.Message.To.Mailboxes.Any(to => to.Address == person.Email) && pair.Message.Subject == BreachTitle)
            .Select(pair => Path.GetFileNameWithoutExtension(pair.File)[(Path.GetFileNameWithoutExtension(pair.File).LastIndexOf('-') + 1)..])];

    private static Task<long> PendingAsync(ServiceHost service) =>
        service.Database.ScalarAsync<long>("select count(*) from person_notice where region = 'eu' and email_state = 'pending'");

    private static Task<long> MarksAsync(ServiceHost service) =>
        service.Database.ScalarAsync<long>("select count(*) from outbox_mark where region = 'eu'");

    /// <summary>Breach emails wait in the transport until <see cref="Release"/> (a killed silo's waiting sends are cancelled, never written).</summary>
    public sealed class HeldMailService : NoticeService
    {
        public HeldMailService() => Settings["Notices:BatchSize"] = "200";

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override string Purpose => "outbox-marks";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            base.ConfigureSilo(silo);
            silo.Services.AddSingleton<IOutbox>(provider => new HeldOutbox(ActivatorUtilities.CreateInstance<FileOutbox>(provider), Release));
        }

        private sealed class HeldOutbox(IOutbox inner, TaskCompletionSource release) : IOutbox
        {
            public async Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default)
            {
                if (message.Subject.Contains(BreachTitle, StringComparison.Ordinal))
                {
                    await release.Task.WaitAsync(cancellationToken);
                }

                await inner.SendAsync(message, origin, cancellationToken);
            }

            public Task DestroyCopiesAsync(GrainId owner, string? messageId = null) => inner.DestroyCopiesAsync(owner, messageId);

            public Task AdoptCopiesAsync(GrainId previous, GrainId heir) => inner.AdoptCopiesAsync(previous, heir);
        }
    }
}
