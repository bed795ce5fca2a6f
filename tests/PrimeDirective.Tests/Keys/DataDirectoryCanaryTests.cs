using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// Sealing holds on the disk, not only in the columns: after a <c>CHECKPOINT</c>, no file of the PostgreSQL data directory
/// (every database's pages, <c>pg_wal</c>, <c>pg_xact</c>, <c>global</c>...) holds a canary of a sealed value in any readable
/// encoding. Scanned is the suite's own server (the one <c>PD_TEST_PG</c> names): each canary is fresh, so the other
/// fixtures' data on that server cannot produce or hide a hit, and a control value written plain proves the scan reads both
/// the WAL and the pages.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class DataDirectoryCanaryTests(SharedService service)
{
    [Fact]
    public async Task After_a_checkpoint_no_file_of_the_data_directory_or_pg_wal_holds_a_sealed_name_email_crash_text_or_address()
    {
        // A person (their name and address), a cluster's report from a client address, and a crash report's text.
        var person = await service.SignUpAsync("eu");
        var (cluster, proof, address) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewAddress());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, proof, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (crashMessage, crashStack) = ($"cnry{Guid.NewGuid():N}", $"cnry{Guid.NewGuid():N}");
        using (var crash = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", proof, Json.Body(new
        {
            version = Flynn.Version,
            component = "scheduler",
            occurredAt = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            message = $"panic: {crashMessage}",
            stack = $"goroutine 1 [running]: {crashStack}",
        }))))
        {
            Assert.Equal(HttpStatusCode.Accepted, crash.StatusCode);
        }

        // The service holds them (the scan looks for something real): the person's and the cluster's exports show them.
        using (var me = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me")))
        {
            var text = await me.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Contains(person.Name, text, StringComparison.Ordinal);
            Assert.Contains(person.Email, text, StringComparison.Ordinal);
        }

        using (var held = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", proof)))
        {
            var text = await held.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, held.StatusCode);
            foreach (var value in new[] { address, crashMessage, crashStack, proof })
            {
                Assert.Contains(value, text, StringComparison.Ordinal);
            }
        }

        // A control written plain into a database of its own: the scan must find it in the WAL and in the pages.
        var control = $"cnry{Guid.NewGuid():N}";
        await using (var plain = await TestDatabase.CreateAsync("wal_control"))
        {
            await plain.ScalarAsync<object>("create table probe (value text)");
            await plain.ScalarAsync<object>("insert into probe values (@value)", ("value", control));
            var directory = await DataDirectoryScan.CheckpointAsync();

            (string Label, IReadOnlyList<string> Forms) Needle(string label, string value) => (label, [.. CanaryInventoryTests.Encodings(value)]);
            var hits = DataDirectoryScan.Find(directory,
            [
                Needle("control", control),
                Needle("name", person.Name),
                Needle("email", person.Email),
                Needle("address", address),
                Needle("crash message", crashMessage),
                Needle("crash stack", crashStack),
                Needle("cluster id", cluster),
                Needle("bootstrap id", proof),
            ]);

            var controlFiles = hits.Where(hit => hit.Label == "control").Select(hit => hit.File).ToList();
            Assert.Contains(controlFiles, file => file.StartsWith("pg_wal", StringComparison.Ordinal));
            Assert.Contains(controlFiles, file => file.StartsWith("base", StringComparison.Ordinal));
            var leaks = hits.Where(hit => hit.Label != "control").Select(hit => $"{hit.Label} in {hit.File}").Order(StringComparer.Ordinal).ToList();
            Assert.True(leaks.Count == 0, $"readable on disk: {string.Join("; ", leaks)}");
        }
    }
}
