using MimeKit;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>The tests' mailbox parses each message file once, yet sees every new file and forgets every deleted one.</summary>
public sealed class TestOutboxTests : IDisposable
{
    private readonly TestOutbox _outbox = new(Path.Combine(Path.GetTempPath(), $"pd-outbox-test-{Guid.NewGuid():N}"));

    [Fact]
    public async Task Messages_follow_the_directory_new_files_seen_deleted_ones_forgotten_others_untouched()
    {
        var address = People.NewEmail();
        var other = People.NewEmail("other");
        Assert.Empty(await _outbox.MessagesToAsync(address));

        Directory.CreateDirectory(_outbox.Directory);
        var first = await WriteAsync("1", address, "Your code: 11111111");
        await WriteAsync("2", other, "Your code: 22222222");
        Assert.Equal(["11111111"], (await _outbox.MessagesToAsync(address)).Select(TestOutbox.CodeIn));

        // A new file is seen (in name order), a deleted one is gone, and nobody else's messages change.
        await WriteAsync("3", address, "Your code: 33333333");
        Assert.Equal(["11111111", "33333333"], (await _outbox.MessagesToAsync(address)).Select(TestOutbox.CodeIn));
        File.Delete(first);
        Assert.Equal(["33333333"], (await _outbox.MessagesToAsync(address)).Select(TestOutbox.CodeIn));
        Assert.Equal(["22222222"], (await _outbox.MessagesToAsync(other)).Select(TestOutbox.CodeIn));
    }

    public void Dispose()
    {
        if (Directory.Exists(_outbox.Directory))
        {
            Directory.Delete(_outbox.Directory, recursive: true);
        }
    }

    private async Task<string> WriteAsync(string name, string to, string text)
    {
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("service@example.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Test";
        message.Body = new TextPart("plain") { Text = text };
        var path = Path.Combine(_outbox.Directory, $"{name}.eml");
        await message.WriteToAsync(path);
        return path;
    }
}
