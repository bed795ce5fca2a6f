using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.ComponentFakes;

/// <summary>The silo-wide services components take, built for a test: memory stores, a fake clock, recording grains.</summary>
public sealed class SiloParts
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public PolicyClock Time { get; }

    public RecordingGrains Grains { get; } = new();

    public RecordingOutbox Transport { get; } = new();

    public OutboxSender Sender { get; }

    /// <summary>A meter factory of these parts alone: a test listens to its meters by scope.</summary>
    public TestMeters Meters { get; } = new();

    /// <summary>The sender's queue gauge.</summary>
    public OutboxQueueMetrics QueueMetrics { get; }

    /// <summary>The silo's outbox marks (what its sweep watches instead of a reminder per account).</summary>
    public InMemoryOutboxMarks Marks { get; } = new();

    public DisclosureDesk Desk { get; }

    public UserKeys UserKeys { get; }

    public ClusterKeys ClusterKeys { get; }

    public IDestructionLedger DestructionLedger { get; }

    public ISubjectRegistry Registry { get; } = new InMemorySubjectRegistry();

    public IPersonNoticeLog NoticeRows { get; } = new InMemoryPersonNoticeLog();

    /// <summary>The key store in memory, its cache, and erasure's first step over them (eviction reaches this one cache).</summary>
    public KeyCache KeyCache { get; }

    public Sealer Sealer { get; }

    /// <summary>How the outbox (and a notice row's email) is sealed.</summary>
    public MessageSeal Seal { get; }

    public KeyShredder Shredder { get; }

    /// <summary>The fence log erasure writes to before it destroys a key.</summary>
    public InMemoryFenceLog FenceLog { get; } = new();

    public SiloParts()
    {
        Time = new PolicyClock(Clock);

        // No policy registry here: the schedule falls back to the seeded version, as it does when the registry is down.
        Grains.Answer = call => call.Method == "ScheduleAsync" ? new InvalidOperationException("no registry in a component test") : null;
        var privacy = Options.Create(new PrivacyOptions());
        var sharing = Options.Create(new SharingOptions());
        Desk = new DisclosureDesk(new DisclosureLedger(new LedgerKeyRing(sharing, privacy), new InMemoryDisclosureEvidence()), sharing, new DisclosureMetrics(Meters));
        var pseudonyms = new Pseudonymizer(privacy);
        (UserKeys, ClusterKeys) = (new UserKeys(pseudonyms), new ClusterKeys(pseudonyms));
        DestructionLedger = new InMemoryDestructionLedger();
        KeyCache = new KeyCache(Options.Create(new KeyStoreOptions()), Clock);
        var keyMetrics = new KeyMetrics(Meters, KeyCache);
        var keyStore = new KeyStore(new InMemoryKeyRows(), new KeyEncryptionKeys(Options.Create(new KeyStoreOptions()), mayDrawRandom: true), Clock, keyMetrics);
        Sealer = new Sealer(keyStore, KeyCache);
        QueueMetrics = new OutboxQueueMetrics(Meters);
        Seal = new MessageSeal(Sealer, privacy);
        Sender = new OutboxSender(Transport, Seal, Grains, Time, Clock, Options.Create(new OutboxOptions()), NullLogger<OutboxSender>.Instance, QueueMetrics);
        Shredder = new KeyShredder(keyStore, new LocalEviction(KeyCache), DestructionLedger, Clock, FenceLog, keyMetrics);
    }

    /// <summary>The one cache a component test has.</summary>
    private sealed class LocalEviction(KeyCache cache) : IKeyEviction
    {
        public Task EvictEverywhereAsync(string subject, Guid keyId)
        {
            cache.Evict(subject, keyId);
            return Task.CompletedTask;
        }
    }

    public PolicySchedule Policy() => new(Grains, Options.Create(new RegionOptions()), Time);

    public static IOptions<RetentionOptions> Retention() => Options.Create(new RetentionOptions());
}

/// <summary>A transport that sends nothing and remembers which owners' copies were destroyed.</summary>
public sealed class RecordingOutbox : IOutbox
{
    public List<GrainId> Destroyed { get; } = [];

    public Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task DestroyCopiesAsync(GrainId owner, string? messageId = null)
    {
        Destroyed.Add(owner);
        return Task.CompletedTask;
    }

    public Task AdoptCopiesAsync(GrainId previous, GrainId heir) => Task.CompletedTask;
}

/// <summary>A person's components wired as <see cref="UserGrain"/> wires them, over a memory state and a fake host.</summary>
public sealed class UserParts
{
    public UserParts(SiloParts silo, UserState? seeded = null, string? userId = null)
    {
        Silo = silo;
        Host = new FakeHost("user", silo.UserKeys.ForUser(userId ?? seeded?.UserId ?? SubjectIds.New("eu")));
        State = new MemoryState<UserState>();
        if (seeded is not null)
        {
            State.Seed(seeded);
        }

        var log = NullLogger.Instance;
        Outbox = new(State, silo.Sender, Host, Users.PersonNotices.Busy, Users.PersonNotices.Settle, silo.Marks);
        Records = new(State, silo.Time, Host);
        Disclosures = new(State, silo.Desk, silo.Grains, silo.Time, Host, new DisclosingSubject<UserState>(
            "person",
            Active: () => State.State.IsActive,
            Keeps: current => current.UserId is not null,
            Consent: current => Users.Consents.Current(current.Consents, DataPurpose.ThirdPartySharing).Granted,
            Items: () => Task.FromResult<IReadOnlyList<HeldItem>>(Account!.Get()!.Items),
            Audit: GaggedAudit.RecordCausedBy), log);
        Notices = new(State, Outbox, Disclosures, new NoticeReach(Options.Create(new SharingOptions())), silo.NoticeRows, silo.Seal, silo.Sealer, silo.Grains, silo.Time, Host, log);
        Holds = new(State, silo.Grains, silo.Time, Host, current => current.UserId is not null, "account", log);
        LegalRequests = new(State, Notices, Holds, silo.Grains, silo.Time, Host);
        Consents = new(State, silo.Policy(), silo.ClusterKeys, silo.Grains, silo.Time, Host, log, new ConsentMetrics(TestMeters.Factory), silo.NoticeRows);
        Dormancy = new(State, Notices, SiloParts.Retention(), silo.Grains, silo.Time, Host, log);
        Account = new(State, silo.UserKeys, silo.ClusterKeys, silo.Registry, Consents, Dormancy, silo.Grains, silo.Time, Host, log);
        EmailChange = new(State, silo.UserKeys, silo.Grains, silo.Time, Host, Outbox);
        Erasure = new(State, silo.UserKeys, silo.ClusterKeys, silo.DestructionLedger, silo.Registry, silo.NoticeRows, Disclosures, Outbox, Holds, LegalRequests, Dormancy, silo.Shredder, silo.Time, Host, log);
    }

    public SiloParts Silo { get; }

    public FakeHost Host { get; }

    public MemoryState<UserState> State { get; }

    public SubjectOutbox<UserState> Outbox { get; }

    /// <summary>Whether the account is marked as keeping undelivered messages (and it has no outbox reminder of its own).</summary>
    public bool OutboxMarked
    {
        get
        {
            Assert.False(Host.Reminders.ContainsKey(SubjectOutbox<UserState>.Reminder));
            return Silo.Marks.Marks.ContainsKey((Host.Region, Host.Id));
        }
    }

    public Users.ThirdPartyRecords Records { get; }

    public SubjectDisclosures<UserState> Disclosures { get; }

    public Users.PersonNotices Notices { get; }

    public LegalHolds<UserState> Holds { get; }

    public Users.PersonLegalRequests LegalRequests { get; }

    public Users.Consents Consents { get; }

    public Users.Dormancy Dormancy { get; }

    public Users.Account Account { get; }

    public Users.EmailChange EmailChange { get; }

    public Users.AccountErasure Erasure { get; }

    /// <summary>An active account, stored: created at the clock's time.</summary>
    public static UserState ActiveAccount(SiloParts silo) => new()
    {
        UserId = SubjectIds.New("eu"),
        Email = "person@example.test",
        Name = "A Person",
        BirthDate = new DateOnly(1990, 5, 17),
        CreatedAt = silo.Clock.GetUtcNow(),
    };
}
