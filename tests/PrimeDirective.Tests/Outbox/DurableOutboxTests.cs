using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Outbox;

/// <summary>
/// Messages go through a durable outbox: an SMTP outage neither fails nor holds up sign-up and sign-in (which would
/// tell known addresses from unknown ones), and what could not be delivered goes out once SMTP is back, even after the
/// silo that accepted it died. A message whose code expired meanwhile is dropped unsent.
/// </summary>
public sealed class DurableOutboxTests
{
    private static readonly TimeSpan s_delivery = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task While_smtp_is_down_sign_up_and_sign_in_answer_202_alike_and_the_codes_arrive_once_it_is_back()
    {
        await using var service = await ServiceHost.StartOwnedAsync<SmtpService>();
        var (http, smtp, database) = (service.Http, service.Smtp, service.Database);
        var known = await SignUpOverSmtpAsync(service);

        smtp.Up = false;
        var (newEmail, newName, stranger) = (Infrastructure.People.NewEmail("new"), Infrastructure.People.NewName(), Infrastructure.People.NewEmail("stranger"));
        var signIn = await AnswerAsync(http, "/v1/sessions", new { email = known.Email });
        var signUp = await AnswerAsync(http, "/v1/users", new { email = newEmail, name = newName, region = "eu", birthDate = Infrastructure.People.AdultBirthDate });
        var unknown = await AnswerAsync(http, "/v1/sessions", new { email = stranger });

        // No 500 for the known address: every answer is the same 202.
        Assert.Equal(HttpStatusCode.Accepted, unknown.Status);
        Assert.Equal(unknown, signIn);
        Assert.Equal(unknown, signUp);

        // Both messages were persisted before the answers, sealed; the sender tried and was turned away.
        var keys = Erasure.KeysOf(service).Users;
        var (knownKey, newKey) = (keys.ForEmail("eu", known.Email), keys.ForEmail("eu", newEmail));
        Assert.Equal(1, await OutgoingCountAsync(database, knownKey));
        Assert.Equal(1, await OutgoingCountAsync(database, newKey));
        await Eventually.ReturnsAsync(() => Task.FromResult(smtp.Refused), refused => refused >= 2, s_delivery, "delivery attempts while SMTP is down");
        Assert.Single(smtp.MessagesTo(known.Email));
        Assert.Empty(smtp.MessagesTo(newEmail));
        Assert.Equal(0, await database.CountRowsContainingAsync("Your code"));
        Assert.Equal(0, await database.CountRowsContainingAsync("sign-in code"));
        Assert.Equal(1, await database.CountRowsContainingAsync(known.Email));

        smtp.Up = true;
        var signInCode = await smtp.NextCodeAsync(known.Email, seen: 1, s_delivery);
        Assert.Equal(known.UserId, (await Infrastructure.People.VerifyAsync(http, known.Email, signInCode)).UserId);
        var signUpCode = await smtp.NextCodeAsync(newEmail, deadline: s_delivery);
        var (newUserId, newToken) = await Infrastructure.People.VerifyAsync(http, newEmail, signUpCode);
        Assert.NotEqual(known.UserId, newUserId);
        var newPerson = new Person(newEmail, newName, Infrastructure.People.AdultBirthDate, "eu", newUserId, newToken);
        Assert.Equal(newName, (string?)(await http.GetMeAsync(newPerson))["account"]!["profile"]!["name"]);

        // Each delivered once, then forgotten by its owner and by the sender; nothing ever went to the stranger.
        await Eventually.ReturnsAsync(
            async () => await OutgoingCountAsync(database, knownKey) + await OutgoingCountAsync(database, newKey) + PendingInSenders(service),
            left => left == 0,
            s_delivery,
            "delivered messages forgotten");
        Assert.Equal(2, smtp.MessagesTo(known.Email).Count);
        Assert.Single(smtp.MessagesTo(newEmail));
        Assert.Empty(smtp.MessagesTo(stranger));

        // The failures were logged, by exception type only: no address, name or message text.
        var logs = LogText.All(service.Logs);
        Assert.Contains("Outbox: delivery failed", logs, StringComparison.Ordinal);
        foreach (var value in new[] { known.Email, known.Name, newEmail, newName, stranger, newUserId, "Your code", "sign-in code", "sign-up code" })
        {
            Assert.DoesNotContain(value, logs, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_code_persisted_before_its_silo_died_is_delivered_by_the_next_silo_once_smtp_is_back()
    {
        await using var service = await ServiceHost.StartOwnedAsync<DownSmtpService>();
        var (http, smtp) = (service.Http, service.Smtp);
        var (email, name) = (Infrastructure.People.NewEmail(), Infrastructure.People.NewName());

        var signUp = await AnswerAsync(http, "/v1/users", new { email, name, region = "eu", birthDate = Infrastructure.People.AdultBirthDate });
        Assert.Equal(HttpStatusCode.Accepted, signUp.Status);
        var key = Erasure.KeysOf(service).Users.ForEmail("eu", email);
        Assert.Equal(1, await OutgoingCountAsync(service.Database, key));
        await Eventually.ReturnsAsync(() => Task.FromResult(smtp.Refused), refused => refused >= 1, s_delivery, "a delivery attempt while SMTP is down");

        // The silo dies with the message in its sender's memory; nothing calls the entry afterwards, only its reminder can.
        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();
        // The gateway's client finds the new silo through membership; until then a call may answer 503 (retry later).
        await Eventually.ReturnsAsync(
            () => http.GetAsync("/health/ready"), response => response.StatusCode == HttpStatusCode.OK, s_delivery, "the gateway reaches the new silo");
        smtp.Up = true;

        var code = await smtp.NextCodeAsync(email, deadline: s_delivery);
        Assert.All(service.Deliveries.Where(delivery => delivery.To == email), delivery => Assert.Equal(2, delivery.Silo));
        var (userId, _) = await Infrastructure.People.VerifyAsync(http, email, code);
        Assert.StartsWith("eu-", userId, StringComparison.Ordinal);
        await Eventually.ReturnsAsync(() => OutgoingCountAsync(service.Database, key), left => left == 0, s_delivery, "the delivered message forgotten");
        Assert.Single(smtp.MessagesTo(email));
    }

    [Fact]
    public async Task A_code_that_expires_while_smtp_is_down_is_dropped_unsent_with_its_pending_sign_up()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ShortCodeSmtpService>();
        var (http, smtp) = (service.Http, service.Smtp);
        var (email, name) = (Infrastructure.People.NewEmail("late"), Infrastructure.People.NewName());

        var signUp = await AnswerAsync(http, "/v1/users", new { email, name, region = "eu", birthDate = Infrastructure.People.AdultBirthDate });
        Assert.Equal(HttpStatusCode.Accepted, signUp.Status);
        var key = Erasure.KeysOf(service).Users.ForEmail("eu", email);
        Assert.Equal(1, await OutgoingCountAsync(service.Database, key));
        await Eventually.ReturnsAsync(
            () => Erasure.RowsOfGrainAsync(service.Database, key), rows => rows == (0, 0), s_delivery, "the expired sign-up and its message destroyed");

        // SMTP is back and works (another address gets its code), yet the expired code is never sent.
        smtp.Up = true;
        var control = await SignUpOverSmtpAsync(service);
        await Eventually.ReturnsAsync(() => Task.FromResult(PendingInSenders(service)), pending => pending == 0, s_delivery, "the sender idle");
        Assert.Single(smtp.MessagesTo(control.Email));
        Assert.Empty(smtp.MessagesTo(email));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(name));
    }

    private static async Task<Person> SignUpOverSmtpAsync(SmtpService service)
    {
        var (email, name) = (Infrastructure.People.NewEmail(), Infrastructure.People.NewName());
        var signUp = await AnswerAsync(service.Http, "/v1/users", new { email, name, region = "eu", birthDate = Infrastructure.People.AdultBirthDate });
        Assert.Equal(HttpStatusCode.Accepted, signUp.Status);
        var code = await service.Smtp.NextCodeAsync(email, deadline: s_delivery);
        var (userId, token) = await Infrastructure.People.VerifyAsync(service.Http, email, code);
        return new Person(email, name, Infrastructure.People.AdultBirthDate, "eu", userId, token);
    }

    private static async Task<Answer> AnswerAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsync(path, Json.Body(body));
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }

    /// <summary>Messages an index entry keeps undelivered, read from its stored state (0 when it has no row).</summary>
    private static async Task<int> OutgoingCountAsync(TestDatabase database, string grainKey)
    {
        var payload = await database.GrainStateJsonAsync(grainKey);
        if (payload is null)
        {
            return 0;
        }

        var outgoing = JsonNode.Parse(payload)!.AsObject().SingleOrDefault(pair => string.Equals(pair.Key, "outgoing", StringComparison.OrdinalIgnoreCase)).Value;
        return outgoing?.AsArray().Count ?? 0;
    }

    private static int PendingInSenders(ServiceHost service) =>
        service.Silos.Sum(silo => silo.Services.GetRequiredService<OutboxSender>().PendingCount);

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body);

    /// <summary>
    /// A service whose outbox is SMTP to a loopback server (up at first), with short retries and rechecks; every silo's
    /// deliveries are recorded with the silo's start number.
    /// </summary>
    public class SmtpService : ServiceHost
    {
        private int _silosStarted;

        public SmtpService()
        {
            Settings["Outbox:Smtp:Host"] = "127.0.0.1";
            Settings["Outbox:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Settings["Outbox:Smtp:UseStartTls"] = "false";
            Settings["Outbox:RetryDelay"] = "00:00:00.200";
            Settings["Outbox:MaxRetryDelay"] = "00:00:01";
            Settings["Outbox:RecheckPeriod"] = "00:00:02";
        }

        /// <summary>Bound before the service starts, so the port the silos are given is held from the first moment.</summary>
        public LoopbackSmtp Smtp { get; } = new(up: true);

        public ConcurrentQueue<(int Silo, string To)> Deliveries { get; } = new();

        protected override string Purpose => "outbox";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            var number = Interlocked.Increment(ref _silosStarted);
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddSingleton<IOutbox>(provider => new RecordingOutbox(ActivatorUtilities.CreateInstance<SmtpOutbox>(provider), number, Deliveries));
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Smtp.DisposeAsync();
        }
    }

    /// <summary>SMTP is down from the start.</summary>
    public sealed class DownSmtpService : SmtpService
    {
        public DownSmtpService() => Smtp.Up = false;
    }

    /// <summary>SMTP is down from the start, and codes live four seconds.</summary>
    public sealed class ShortCodeSmtpService : SmtpService
    {
        public ShortCodeSmtpService()
        {
            Smtp.Up = false;
            Settings["Accounts:CodeLifetime"] = "00:00:04";
        }
    }

    /// <summary>Notes which silo delivered each message, after the transport accepted it.</summary>
    private sealed class RecordingOutbox(IOutbox inner, int silo, ConcurrentQueue<(int Silo, string To)> deliveries) : IOutbox
    {
        public async Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default)
        {
            await inner.SendAsync(message, origin, cancellationToken);
            deliveries.Enqueue((silo, message.To));
        }

        public Task DestroyCopiesAsync(GrainId owner, string? messageId = null) => inner.DestroyCopiesAsync(owner, messageId);

        public Task AdoptCopiesAsync(GrainId previous, GrainId heir) => inner.AdoptCopiesAsync(previous, heir);
    }
}
