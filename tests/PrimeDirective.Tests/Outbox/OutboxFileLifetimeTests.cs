using System.Net;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Notices;
using PrimeDirective.Tests.Requests;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Outbox;

/// <summary>
/// The file outbox (no SMTP host) keeps nothing for long: an erasure deletes every file naming the person at once, and
/// any file is deleted <c>Outbox:FileLifetime</c> (a day) after it was written, by the policy's clock.
/// </summary>
public sealed class OutboxFileLifetimeTests
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromDays(1);

    [Fact]
    public async Task An_erasure_deletes_every_file_naming_the_person_at_once_and_an_untouched_file_is_gone_a_day_after_it_was_written()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FileLifetimeService>();
        var officer = await service.OfficerAsync("ap");
        var (erased, kept) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));

        // Files of both owners of a person's mail: codes (the address's index entry) and a notice (the account).
        using (var signIn = await service.Http.PostAsync("/v1/sessions", Json.Body(new { email = erased.Email })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        }

        await service.Outbox.NextMessageAsync(erased.Email, seen: 1);
        var now = DateTimeOffset.UtcNow;
        await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["account"], now.AddHours(-1), now.AddHours(1)));
        foreach (var person in new[] { erased, kept })
        {
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, TimeSpan.FromSeconds(60), "the breach email");
        }

        Assert.Equal(3, await FilesNamingAsync(service, erased.Email));
        var keptFiles = FilesOf(service, kept.Email);
        Assert.Equal(2, keptFiles.Count);

        // Erased: by the time the receipt says completed, no file names the address any more; the other person's stay.
        var (_, receiptUrl) = await Erasure.EraseAsync(service, erased);
        await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(60));
        Assert.Equal(0, await FilesNamingAsync(service, erased.Email));
        Assert.Equal(keptFiles, FilesOf(service, kept.Email));
        Assert.Empty(Directory.GetFiles(service.Outbox.Directory, "*.tmp"));

        // A minute short of the lifetime nothing goes; a file written then (a fresh code) outlives the older ones.
        service.Clock.Advance(s_lifetime - TimeSpan.FromMinutes(1));
        using (var signIn = await service.Http.PostAsync("/v1/sessions", Json.Body(new { email = kept.Email })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        }

        var fresh = await service.Outbox.NextMessageAsync(kept.Email, seen: 2);
        Assert.Equal(keptFiles, FilesOf(service, kept.Email).Intersect(keptFiles, StringComparer.Ordinal));

        // Past it: the untouched files are deleted without anyone asking; the fresh one is not yet due.
        service.Clock.Advance(TimeSpan.FromMinutes(2));
        var left = await Eventually.ReturnsAsync(
            () => Task.FromResult(FilesOf(service, kept.Email)), files => !files.Intersect(keptFiles, StringComparer.Ordinal).Any(), TimeSpan.FromSeconds(30), "the day-old files deleted");
        Assert.Single(left);
        Assert.Equal(fresh.Subject, (await service.Outbox.MessagesToAsync(kept.Email)).Single().Subject);
    }

    /// <summary>How many files of the outbox name <paramref name="address"/> anywhere (headers or body).</summary>
    private static async Task<int> FilesNamingAsync(ServiceHost service, string address)
    {
        var count = 0;
        foreach (var file in Directory.GetFiles(service.Outbox.Directory))
        {
            if ((await File.ReadAllTextAsync(file)).Contains(address, StringComparison.OrdinalIgnoreCase))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The names of the files addressed to <paramref name="address"/>, in order.</summary>
    private static List<string> FilesOf(ServiceHost service, string address) =>
        [.. Directory.GetFiles(service.Outbox.Directory, "*.eml")
            .Where(file => File.ReadAllText(file).Contains(address, StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>A notice service (fake policy clock, an officer) whose outbox files live the shipped day.</summary>
    public sealed class FileLifetimeService : NoticeService
    {
        public FileLifetimeService() => Settings["Outbox:FileLifetime"] = "1.00:00:00";

        protected override string Purpose => "outbox-files";
    }
}
