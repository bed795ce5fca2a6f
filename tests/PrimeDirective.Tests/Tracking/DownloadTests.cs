using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Tracking;

/// <summary>The inferred collection path: the CLI download picks a build from the User-Agent and keeps nothing.</summary>
[Collection(TestCollections.SharedService)]
public sealed class DownloadTests(SharedService service)
{
    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "https://dl.flynn.io/cli/flynn-linux-amd64.gz")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "https://dl.flynn.io/cli/flynn-darwin-amd64.gz")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", "https://dl.flynn.io/cli/flynn-windows-amd64.exe.gz")]
    [InlineData("curl/8.11.0", null)]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", null)]
    [InlineData("Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", null)]
    public async Task The_CLI_download_redirects_to_the_build_for_the_agents_OS_or_lists_them_all(string userAgent, string? location)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = service.Http.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/downloads/cli");
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);

        using var response = await http.SendAsync(request);

        Assert.Contains("User-Agent", response.Headers.Vary);
        if (location is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains("flynn-linux-amd64.gz", page, StringComparison.Ordinal);
            Assert.Contains("flynn-darwin-amd64.gz", page, StringComparison.Ordinal);
            Assert.Contains("flynn-windows-amd64.exe.gz", page, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(location, response.Headers.Location!.ToString());
        }
    }
}

/// <summary>On a service of its own, so that no other test writes while it looks: nothing of a download is kept.</summary>
public sealed class DownloadKeepsNothingTests
{
    [Fact]
    public async Task A_CLI_download_leaves_the_database_and_the_logs_unchanged()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ServiceHost>();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = service.Http.BaseAddress };

        // Warm the route once, so the snapshot is taken after anything a first request may set up.
        using (var warm = await http.GetAsync("/downloads/cli"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var canaryAgent = $"Mozilla/5.0 (X11; Linux x86_64) canary-{Guid.NewGuid():N}";
        const string canaryAddress = "203.0.113.77";
        var rowsBefore = await RowCountsAsync(service);
        var logsBefore = service.Logs.GetSnapshot().Count;

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/downloads/cli"))
        {
            request.Headers.TryAddWithoutValidation("User-Agent", canaryAgent);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", canaryAddress);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        Assert.Equal(rowsBefore, await RowCountsAsync(service));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(canaryAgent));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(canaryAddress));
        var logs = LogText.All(service.Logs);
        Assert.DoesNotContain("canary-", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(canaryAddress, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Logs.GetSnapshot().Skip(logsBefore), record => LogText.Render(record).Contains("/downloads", StringComparison.Ordinal));
    }

    /// <summary>Every table's row count, in name order.</summary>
    private static async Task<string> RowCountsAsync(ServiceHost service)
    {
        var tables = await service.Database.ScalarAsync<string>(
            "select string_agg(quote_ident(table_name), ',' order by table_name) from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
        var counts = new List<string>();
        foreach (var table in tables!.Split(','))
        {
            counts.Add($"{table}={await service.Database.ScalarAsync<long>($"select count(*) from {table}")}");
        }

        return string.Join(' ', counts);
    }
}
