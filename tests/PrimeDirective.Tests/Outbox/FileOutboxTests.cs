using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Outbox;

public sealed class FileOutboxTests : IDisposable
{
    // Not created here: the outbox must create it itself.
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pd-outbox-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2031, 4, 5, 6, 7, 8, 9, TimeSpan.Zero));
    private readonly FakeLogger<FileOutbox> _logger = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Each_message_becomes_one_eml_file_that_parses_back_to_the_same_recipient_subject_and_body()
    {
        var outbox = CreateOutbox();
        var first = new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", "Jürgen Flynn", "Your data export", "Grüße, here is your export.");
        var second = new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", null, "Erasure done", "Everything we held is gone.");

        await outbox.SendAsync(first, Origin());
        await outbox.SendAsync(second, Origin());

        var files = Directory.GetFiles(_directory, "*.eml");
        Assert.Equal(2, files.Length);
        Assert.All(files, file => Assert.StartsWith("20310405T060708009Z-", Path.GetFileName(file), StringComparison.Ordinal));
        var loaded = new List<(string Address, string Name, string? Subject, string? Body)>();
        foreach (var file in files)
        {
            using var mime = await MimeMessage.LoadAsync(file);
            var to = Assert.Single(mime.To.Mailboxes);
            Assert.Equal("privacy@prime-directive.invalid", Assert.Single(mime.From.Mailboxes).Address);
            Assert.False(string.IsNullOrEmpty(mime.MessageId));
            // The Date header keeps whole seconds only.
            Assert.Equal(new DateTimeOffset(2031, 4, 5, 6, 7, 8, TimeSpan.Zero), mime.Date);
            loaded.Add((to.Address, to.Name ?? "", mime.Subject, mime.TextBody?.TrimEnd()));
        }

        Assert.Contains((first.To, first.ToName!, first.Subject, first.Body), loaded);
        Assert.Contains((second.To, "", second.Subject, second.Body), loaded);
        AssertNothingPersonalLogged(first, second);
        // Records print their members; this one must not, in case someone logs it whole.
        Assert.DoesNotContain(first.To, first.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_temporary_file_is_left_behind_after_sending()
    {
        var outbox = CreateOutbox();

        for (var i = 0; i < 3; i++)
        {
            await outbox.SendAsync(new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", null, $"Subject {i}", $"Body {i}"), Origin());
        }

        var all = Directory.GetFiles(_directory, "*", SearchOption.AllDirectories);
        Assert.Equal(3, all.Length);
        Assert.All(all, file => Assert.EndsWith(".eml", file, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_directory_is_created_when_missing()
    {
        Assert.False(Directory.Exists(_directory));
        var nested = Path.Combine(_directory, "nested", "outbox");
        var outbox = CreateOutbox(nested);

        await outbox.SendAsync(new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", null, "Hello", "Body"), Origin());

        Assert.True(Directory.Exists(nested));
        Assert.Single(Directory.GetFiles(nested, "*.eml"));
    }

    [Fact]
    public async Task A_cancelled_send_writes_nothing()
    {
        var outbox = CreateOutbox();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => outbox.SendAsync(new OutboxMessage($"{Guid.NewGuid():N}@example.invalid", null, "Hello", "Body"), Origin(), cancellation.Token));

        Assert.Empty(Directory.GetFiles(_directory, "*", SearchOption.AllDirectories));
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an address")]
    public async Task A_message_without_a_valid_recipient_is_refused_without_echoing_it_and_writes_nothing(string to)
    {
        var outbox = CreateOutbox();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => outbox.SendAsync(new OutboxMessage(to, "Secret Name", "Hello", "Body"), Origin()));

        Assert.DoesNotContain("Secret Name", error.ToString(), StringComparison.Ordinal);
        if (to.Length > 0)
        {
            Assert.DoesNotContain(to, error.Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(_directory) && Directory.EnumerateFileSystemEntries(_directory).Any());
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Theory]
    [InlineData(null, nameof(FileOutbox))]
    [InlineData("", nameof(FileOutbox))]
    [InlineData("smtp.example.invalid", nameof(SmtpOutbox))]
    public async Task Registration_chooses_smtp_only_when_a_host_is_set(string? host, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Outbox:Directory"] = _directory };
        if (host is not null)
        {
            settings["Outbox:Smtp:Host"] = host;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var provider = new ServiceCollection().AddLogging().AddOutbox(configuration).BuildServiceProvider();

        var outbox = provider.GetRequiredService<IOutbox>();

        Assert.Equal(expected, outbox.GetType().Name);
        Assert.Same(outbox, provider.GetRequiredService<IOutbox>());
        Assert.Equal(_directory, provider.GetRequiredService<IOptions<OutboxOptions>>().Value.Directory);
        // Choosing a transport touches neither the network nor the disk.
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public async Task A_file_is_deleted_its_lifetime_after_it_was_written_and_an_owners_files_at_once_on_request()
    {
        var outbox = CreateOutbox();
        var (erased, kept) = (GrainId.Create("user", $"eu/{Guid.NewGuid():N}"), GrainId.Create("user", $"eu/{Guid.NewGuid():N}"));
        await outbox.SendAsync(new OutboxMessage("erased@example.invalid", null, "Code", "Your code"), Origin(erased));
        await outbox.SendAsync(new OutboxMessage("erased@example.invalid", null, "Notice", "A notice"), Origin(erased));
        await outbox.SendAsync(new OutboxMessage("kept@example.invalid", null, "Old", "Written first"), Origin(kept));
        var foreign = Path.Combine(_directory, "notes.eml");
        await File.WriteAllTextAsync(foreign, "not the outbox's");
        using var stopping = new CancellationTokenSource();
        var expiry = outbox.ExpireAsync(stopping.Token);

        // An owner's files go at once when asked (its erasure); nobody else's.
        await outbox.DestroyCopiesAsync(erased);
        Assert.Empty(Files("erased@"));
        Assert.Single(Files("kept@"));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.DestroyCopiesAsync(kept, "../*"));

        _time.Advance(TimeSpan.FromHours(1));
        await outbox.SendAsync(new OutboxMessage("kept@example.invalid", null, "New", "Written an hour later"), Origin(kept));
        Assert.Equal(2, Files("kept@").Count);

        // A day after the first was written only it goes; a day after the second, the second; a file not ours stays.
        _time.Advance(TimeSpan.FromHours(23));
        var left = await Eventually.ReturnsAsync(() => Task.FromResult(Files("kept@")), files => files.Count == 1, TimeSpan.FromSeconds(30), "the day-old file deleted");
        Assert.Contains("Written an hour later", await File.ReadAllTextAsync(Assert.Single(left)), StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromHours(1));
        await Eventually.ReturnsAsync(() => Task.FromResult(Files("kept@")), files => files.Count == 0, TimeSpan.FromSeconds(30), "the second file deleted");
        Assert.True(File.Exists(foreign));

        await stopping.CancelAsync();
        await expiry.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), record => record.Level > LogLevel.Debug);
    }

    private List<string> Files(string addressed) =>
        [.. Directory.GetFiles(_directory, "*.eml").Where(file => File.ReadAllText(file).Contains(addressed, StringComparison.Ordinal))];

    private FileOutbox CreateOutbox(string? directory = null) =>
        new(Options.Create(new OutboxOptions { Directory = directory ?? _directory }), _time, new PolicyClock(_time), _logger);

    private static MessageOrigin Origin(GrainId? owner = null) => new(owner ?? GrainId.Create("user", $"eu/{Guid.NewGuid():N}"), Guid.NewGuid().ToString("N"));

    private void AssertNothingPersonalLogged(params OutboxMessage[] messages)
    {
        var records = _logger.Collector.GetSnapshot();
        Assert.Equal(messages.Length, records.Count);
        Assert.All(records, record => Assert.Equal(LogLevel.Debug, record.Level));
        var text = string.Join('\n', records.Select(record =>
            record.Message + " " + string.Join(' ', record.StructuredState?.Select(pair => pair.Value) ?? [])));
        foreach (var message in messages)
        {
            foreach (var personal in new[] { message.To, message.ToName, message.Subject, message.Body })
            {
                if (!string.IsNullOrEmpty(personal))
                {
                    Assert.DoesNotContain(personal, text, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }
}
