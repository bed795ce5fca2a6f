using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.Sealing;

/// <summary>
/// Epoch keys: a value sealed under HKDF(subject key, epoch key) (format 2) opens while both keys live; once the epoch's
/// day is over the sweep destroys the epoch key (fenced, no subject) and the value opens nowhere, while the subject's
/// other values still open.
/// </summary>
public sealed class EpochKeyTests
{
    private static readonly DateTimeOffset s_start = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(s_start);
    private readonly InMemoryKeyRows _rows = new();
    private readonly InMemoryDestructionLedger _ledger = new();
    private readonly InMemoryFenceLog _fenceLog = new();
    private readonly KeyCache _cache;
    private readonly Sealer _sealer;
    private readonly KeyStore _store;

    public EpochKeyTests()
    {
        var options = Options.Create(new KeyStoreOptions { Keks = { ["1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) } });
        _cache = new KeyCache(options, _clock);
        _store = new KeyStore(_rows, new KeyEncryptionKeys(options, mayDrawRandom: false), _clock, new KeyMetrics(TestMeters.Factory, _cache));
        _sealer = new Sealer(_store, _cache);
    }

    [Fact]
    public async Task A_value_sealed_under_an_epoch_is_version_2_subject_key_id_epoch_key_id_nonce_ciphertext_tag_under_the_hkdf_of_both_keys()
    {
        var context = new SealContext("report", "ip_address", "eu/subject-a", "report-1");
        var epoch = new KeyEpoch("eu", "ip-address", new DateOnly(2027, 3, 31));
        var plain = Encoding.UTF8.GetBytes("198.51.100.23");

        var sealedValue = await _sealer.SealAsync(context, epoch, plain);
        var subjectKey = await _sealer.CurrentKeyAsync("eu/subject-a");
        var epochKey = await _sealer.EpochKeyAsync(epoch);

        Assert.Equal(Sealer.DerivedFormatVersion, sealedValue[0]);
        Assert.Equal(subjectKey.Id, Sealer.KeyIdOf(sealedValue));
        Assert.Equal(epochKey.Id, Sealer.SecondKeyIdOf(sealedValue));
        Assert.Equal(1 + 16 + 16 + 12 + plain.Length + 16, sealedValue.Length);
        Assert.Equal(-1, sealedValue.AsSpan().IndexOf(plain));
        Assert.Equal(plain, await _sealer.OpenAsync(context, sealedValue));

        // The key is HKDF-SHA256(subject key; salt: epoch key; info: the epoch's name), neither key itself.
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, subjectKey.Material, 32, epochKey.Material, Encoding.UTF8.GetBytes("prime-directive derived key v2|epoch|eu|ip-address|2027-03-31"));
        Assert.Equal(expected, Sealer.Derive(subjectKey, epochKey));
        Assert.NotEqual(subjectKey.Material, expected);
        Assert.NotEqual(epochKey.Material, expected);
        var ciphertext = sealedValue.AsSpan(45, plain.Length).ToArray();
        var opened = new byte[plain.Length];
        using (var aes = new AesGcm(expected, 16))
        {
            aes.Decrypt(sealedValue.AsSpan(33, 12), ciphertext, sealedValue.AsSpan(sealedValue.Length - 16), opened, AssociatedData(context));
        }

        Assert.Equal(plain, opened);

        // The epoch key is one per (region, category, day), kept with its day, wrapped like a data key; another day is another key.
        Assert.Equal(epochKey.Id, (await _sealer.EpochKeyAsync(epoch)).Id);
        Assert.NotEqual(epochKey.Id, (await _sealer.EpochKeyAsync(epoch with { Day = epoch.Day.AddDays(1) })).Id);
        Assert.NotEqual(epochKey.Id, (await _sealer.EpochKeyAsync(epoch with { Region = "us" })).Id);
        var stored = await _store.PeekAsync(epoch.Name);
        Assert.Equal(epoch.Day, stored!.EpochDay);
        Assert.Null((await _store.PeekAsync("eu/subject-a"))!.EpochDay);
        Assert.Equal(epoch, KeyEpoch.Parse(epoch.Name));
        Assert.Null(KeyEpoch.Parse("eu/subject-a"));

        // Copied to another row it does not open; the text form is recognised as sealed, an address is not.
        await Assert.ThrowsAnyAsync<CryptographicException>(() => _sealer.OpenAsync(context with { RowId = "report-2" }, sealedValue));
        Assert.True(Sealer.IsSealedText(await _sealer.SealTextAsync(context, epoch, "198.51.100.23")));
        Assert.False(Sealer.IsSealedText("198.51.100.23"));
        Assert.False(Sealer.IsSealedText("2001:db8::7"));
        Assert.False(Sealer.IsSealedText("unknown"));
    }

    [Fact]
    public async Task An_epoch_key_is_destroyed_once_its_day_is_over_and_its_values_stop_opening_while_the_subjects_other_values_still_open()
    {
        var shredder = new EpochKeyShredder(_store, new CacheEviction(_cache), _ledger, new PolicyClock(_clock), Regions("eu"), [], _fenceLog, new KeyMetrics(TestMeters.Factory, _cache));
        var day = DateOnly.FromDateTime(s_start.UtcDateTime).AddDays(2);
        var ending = new KeyEpoch("eu", "ip-address", day);
        var later = ending with { Day = day.AddDays(1) };
        var elsewhere = ending with { Region = "us" };
        var subject = "eu/subject-b";
        var (first, second, whole) = (Context(subject, "r-1"), Context(subject, "r-2"), Context(subject, "state"));
        var expiring = await _sealer.SealAsync(first, ending, "203.0.113.1"u8.ToArray());
        var lasting = await _sealer.SealAsync(second, later, "203.0.113.2"u8.ToArray());
        var state = await _sealer.SealAsync(whole, "name"u8.ToArray());
        var otherRegion = await _sealer.SealAsync(first, elsewhere, "203.0.113.3"u8.ToArray());
        var endingKey = Sealer.SecondKeyIdOf(expiring)!.Value;

        // On its day, the value still opens: nothing is destroyed before the day is over.
        _clock.SetUtcNow(new DateTimeOffset(day, new TimeOnly(23, 59), TimeSpan.Zero));
        Assert.Equal(0, await shredder.SweepAsync());
        Assert.Equal("203.0.113.1"u8.ToArray(), await _sealer.OpenAsync(first, expiring));

        // The day after, the sweep destroys its key (and only it); the value no longer opens, through the cache or not.
        _clock.SetUtcNow(new DateTimeOffset(day.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero));
        Assert.Equal(1, await shredder.SweepAsync());
        Assert.Null(await _sealer.OpenAsync(first, expiring));
        Assert.Null(await _store.FindAsync(endingKey));
        Assert.Null(await _store.PeekAsync(ending.Name));

        // The subject's other values open: the next day's epoch, its state under its own key; another region's epoch is
        // not this silo's to destroy.
        Assert.Equal("203.0.113.2"u8.ToArray(), await _sealer.OpenAsync(second, lasting));
        Assert.Equal("name"u8.ToArray(), await _sealer.OpenAsync(whole, state));
        Assert.Equal("203.0.113.3"u8.ToArray(), await _sealer.OpenAsync(first, otherRegion));

        // The fence names the key, its fingerprint and KEK version, in its region's ledger; never a subject.
        var fence = await _ledger.FindFenceAsync("eu", endingKey);
        Assert.NotNull(fence);
        Assert.Equal(_clock.GetUtcNow(), fence.DestroyedAt);
        Assert.Null(await _ledger.FindFenceAsync("eu", (await _sealer.CurrentKeyAsync(subject)).Id));

        // A second sweep finds nothing more to destroy.
        Assert.Equal(0, await shredder.SweepAsync());
    }

    [Fact]
    public async Task A_step_that_must_come_first_runs_before_the_epoch_key_goes_and_a_failing_one_keeps_the_key_for_the_next_sweep()
    {
        var day = DateOnly.FromDateTime(s_start.UtcDateTime);
        var epoch = new KeyEpoch("eu", "ip-address", day);
        var context = Context("eu/subject-c", "r-1");
        var sealedValue = await _sealer.SealAsync(context, epoch, "192.0.2.7"u8.ToArray());
        var step = new RecordingStep(_store) { Fail = true };
        var shredder = new EpochKeyShredder(_store, new CacheEviction(_cache), _ledger, new PolicyClock(_clock), Regions("eu"), [step], _fenceLog, new KeyMetrics(TestMeters.Factory, _cache));
        _clock.Advance(TimeSpan.FromDays(1));

        await Assert.ThrowsAsync<InvalidOperationException>(shredder.SweepAsync);
        Assert.NotNull(await _sealer.OpenAsync(context, sealedValue));

        step.Fail = false;
        Assert.Equal(1, await shredder.SweepAsync());
        Assert.Equal([epoch], step.Seen);
        Assert.True(step.KeyAliveWhenCalled);
        Assert.Null(await _sealer.OpenAsync(context, sealedValue));
    }

    private static SealContext Context(string subject, string row) => new("report", "ip_address", subject, row);

    private static SiloRegions Regions(string label) => SiloRegions.From(
        new ConfigurationBuilder().AddInMemoryCollection([new($"Orleans:Metadata:{SiloRegions.MetadataKey}", label)]).Build(), new RegionOptions());

    private static byte[] AssociatedData(SealContext context)
    {
        string[] parts = ["prime-directive seal v1", context.Store, context.Column, context.Subject, context.RowId];
        var output = new List<byte>();
        foreach (var part in parts.Select(Encoding.UTF8.GetBytes))
        {
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
            output.AddRange(length);
            output.AddRange(part);
        }

        return [.. output];
    }

    private sealed class CacheEviction(KeyCache cache) : IKeyEviction
    {
        public Task EvictEverywhereAsync(string subject, Guid keyId)
        {
            cache.Evict(subject, keyId);
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingStep(KeyStore store) : IEpochEnding
    {
        public bool Fail { get; set; }

        public List<KeyEpoch> Seen { get; } = [];

        public bool KeyAliveWhenCalled { get; private set; }

        public async Task BeforeEpochEndsAsync(KeyEpoch epoch, Guid epochKeyId)
        {
            if (Fail)
            {
                throw new InvalidOperationException("step failed");
            }

            Seen.Add(epoch);
            KeyAliveWhenCalled = await store.FindAsync(epochKeyId) is not null;
        }
    }
}
