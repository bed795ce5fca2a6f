using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Issue 21's erasure figure: people with <see cref="ClustersPerPerson"/> linked clusters each erase themselves
/// (<c>DELETE /v1/me</c> → 202) while the half-load runs, and the time from sending the DELETE to the first poll of
/// the request that says <c>completed</c> is measured, at each concurrency. Everything goes through the public HTTP
/// contract as a person does it: sign-up with the code from the mail, cluster reports, links with the cluster's proof,
/// a step-up code for the erasure. No processor is registered, so no acknowledgement is waited for.
/// </summary>
internal static class ErasureUnderLoad
{
    public const int ClustersPerPerson = 10;

    /// <summary>The concurrencies measured, in this order.</summary>
    public static readonly int[] Concurrencies = [10, 100];

    private const string SignUpSubject = "Your Prime Directive sign-up code";
    private const string StepUpSubject = "Your code to erase your Prime Directive account";
    private const int PreparingInParallel = 16;
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_mailTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_erasureTimeout = TimeSpan.FromMinutes(2);

    /// <param name="maximumRate">The run's maximum durable rate (figure 2's window); the half-load runs at half of it.</param>
    public static async Task<ErasureResult> RunAsync(BenchPostgres postgres, IngestOptions options, double maximumRate, CancellationToken cancellationToken)
    {
        var outbox = Path.Combine(Path.GetTempPath(), $"ingest-bench-outbox-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Outbox__Directory"] = outbox,
            // Hundreds of sign-ups come from one address (loopback); the limit per address is the tests' too.
            ["Gateway__RateLimits__CodeRequestsPerMinute"] = "1000000",
        };
        try
        {
            await using var database = await BenchDatabase.CreateAsync(postgres.Server, cancellationToken);
            await using var gateway = await GatewayProcess.StartAsync(database.ConnectionString, settings, cancellationToken);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, UseProxy = false })
            {
                BaseAddress = gateway.Address,
                Timeout = TimeSpan.FromSeconds(60),
            };
            using var mail = new MailCodes(outbox);

            // Everyone of every level is ready (signed up, clusters reported and linked, step-up code in hand) before the load starts.
            var prepare = Stopwatch.StartNew();
            var levels = new List<(int Concurrency, Person[] People)>();
            foreach (var concurrency in Concurrencies)
            {
                levels.Add((concurrency, await PrepareAsync(http, mail, Math.Max(concurrency, options.ErasurePersons), cancellationToken)));
            }

            Progress.Log($"erasure: {levels.Sum(level => level.People.Length)} people with {ClustersPerPerson} linked clusters each ready in {prepare.Elapsed.TotalSeconds:0} s");

            await using var load = await HalfLoad.StartAsync(gateway.Address, options.Clusters, maximumRate / 2, HalfLoad.Workers(options), cancellationToken);
            var measured = new List<ErasureLevel>();
            foreach (var (concurrency, people) in levels)
            {
                var level = await EraseAsync(http, people, concurrency, cancellationToken);
                var result = level.Result;
                Progress.Log($"erasure at {concurrency} concurrent: n {result.Ok}, p50 {result.Percentile(0.5):0} ms, p99 {result.Percentile(0.99):0} ms, failed {result.Failed}, polls answered 503: {level.UnavailablePolls}");
                measured.Add(level);
            }

            var background = await load.StopAsync();
            return new ErasureResult(measured, background, load.Target, gateway.Failures, gateway.FirstFailures);
        }
        finally
        {
            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }
        }
    }

    private static async Task<Person[]> PrepareAsync(HttpClient http, MailCodes mail, int count, CancellationToken cancellationToken)
    {
        var people = new ConcurrentBag<Person>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = PreparingInParallel, CancellationToken = cancellationToken },
            async (_, token) => people.Add(await PrepareOneAsync(http, mail, token)));

        // Step-up codes last 10 minutes: asked for last, once every account of the level exists.
        var ready = new ConcurrentBag<Person>();
        await Parallel.ForEachAsync(
            people,
            new ParallelOptions { MaxDegreeOfParallelism = PreparingInParallel, CancellationToken = cancellationToken },
            async (person, token) =>
            {
                using var stepUp = Authorized(HttpMethod.Post, "/v1/me/step-up", person.Token, new { action = "erase-account" });
                await ExpectAsync(http, stepUp, HttpStatusCode.Accepted, token);
                ready.Add(person with { StepUpCode = await mail.TakeAsync(person.Email, StepUpSubject, s_mailTimeout, token) });
            });
        return [.. ready];
    }

    private static async Task<Person> PrepareOneAsync(HttpClient http, MailCodes mail, CancellationToken cancellationToken)
    {
        var email = $"bench-{Guid.NewGuid():N}@example.test";
        using (var signUp = new HttpRequestMessage(HttpMethod.Post, "/v1/users")
        {
            Content = JsonContent.Create(new { email, name = $"Bench {Guid.NewGuid():N}", region = "eu", birthDate = "1984-02-29" }),
        })
        {
            await ExpectAsync(http, signUp, HttpStatusCode.Accepted, cancellationToken);
        }

        var code = await mail.TakeAsync(email, SignUpSubject, s_mailTimeout, cancellationToken);
        string token;
        using (var verify = new HttpRequestMessage(HttpMethod.Post, "/v1/sessions/verify") { Content = JsonContent.Create(new { email, code }) })
        {
            using var session = await ExpectAsync(http, verify, HttpStatusCode.OK, cancellationToken);
            token = session.RootElement.GetProperty("token").GetString()!;
        }

        // Each cluster reports, is linked with its proof, and reports again (data before and after the link).
        var clusters = FlynnCluster.Many(ClustersPerPerson);
        foreach (var (cluster, index) in clusters.Select((cluster, index) => (cluster, index)))
        {
            await ReportAsync(http, cluster, index, cancellationToken);
            using (var link = Authorized(HttpMethod.Post, "/v1/me/clusters", token, new { clusterId = cluster.ClusterId, bootstrapId = cluster.BootstrapId, region = "eu" }))
            {
                await ExpectAsync(http, link, HttpStatusCode.OK, cancellationToken);
            }

            await ReportAsync(http, cluster, index + 1, cancellationToken);
        }

        // Its operator reads a cluster before the erasure (200): the 404 counted after it is the erasure's, not a wrong read.
        using (var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/clusters/{clusters[0].ClusterId}"))
        {
            read.Headers.Add("X-Flynn-Bootstrap-Id", clusters[0].BootstrapId);
            (await ExpectAsync(http, read, HttpStatusCode.OK, cancellationToken)).Dispose();
        }

        return new Person(email, token, clusters, StepUpCode: null);
    }

    private static async Task ReportAsync(HttpClient http, FlynnCluster cluster, int index, CancellationToken cancellationToken)
    {
        using var report = new HttpRequestMessage(HttpMethod.Get, cluster.SchedulerReport(index));
        await ExpectAsync(http, report, HttpStatusCode.OK, cancellationToken);
    }

    /// <summary><paramref name="concurrency"/> workers, each erasing its next person as soon as its last one completed.</summary>
    private static async Task<ErasureLevel> EraseAsync(HttpClient http, Person[] people, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<double>();
        long failed = 0;
        long next = -1;
        long unavailable = 0;
        var erased = new ConcurrentBag<Person>();
        string? firstFailure = null;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(
            async () =>
            {
                for (var position = Interlocked.Increment(ref next); position < people.Length; position = Interlocked.Increment(ref next))
                {
                    try
                    {
                        var (milliseconds, polls) = await EraseOneAsync(http, people[position], cancellationToken);
                        latencies.Add(milliseconds);
                        erased.Add(people[position]);
                        Interlocked.Add(ref unavailable, polls);
                    }
                    catch (Exception failure) when (failure is HttpRequestException or TimeoutException or InvalidOperationException or JsonException
                        || (failure is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstFailure, $"{failure.GetType().Name}: {failure.Message}", null);
                    }
                }
            },
            cancellationToken)));
        var result = new LoadResult(latencies.Count, failed, watch.Elapsed, [.. latencies.Order()], firstFailure);
        return new ErasureLevel(concurrency, result, unavailable, await StillReadableAsync(http, erased, cancellationToken));
    }

    /// <summary>
    /// DELETE → 202, then the request polled (by its capability URL: the erased account's token ends) until completed:
    /// milliseconds, and the polls answered 503 on the way.
    /// </summary>
    private static async Task<(double Milliseconds, int Unavailable)> EraseOneAsync(HttpClient http, Person person, CancellationToken cancellationToken)
    {
        using var erase = Authorized(HttpMethod.Delete, "/v1/me", person.Token, body: null);
        erase.Headers.Add("X-Step-Up-Code", person.StepUpCode);
        var started = Stopwatch.GetTimestamp();
        string receipt;
        using (var accepted = await ExpectAsync(http, erase, HttpStatusCode.Accepted, cancellationToken))
        {
            receipt = accepted.RootElement.GetProperty("receiptUrl").GetString()!;
        }

        var unavailable = 0;
        while (Stopwatch.GetElapsedTime(started) < s_erasureTimeout)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, receipt);
            using var response = await http.SendAsync(request, cancellationToken);

            // 503 (the request's grain busy erasing past the response timeout) is "not yet" to a client: it polls again.
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                unavailable++;
            }
            else if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET /v1/privacy-requests/{{id}} answered {(int)response.StatusCode}, not 200.");
            }
            else
            {
                using var view = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                if (view.RootElement.GetProperty("status").GetString() == "completed")
                {
                    return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, unavailable);
                }
            }

            await Task.Delay(s_poll, cancellationToken);
        }

        throw new TimeoutException($"An erasure did not complete within {s_erasureTimeout.TotalSeconds:0} s.");
    }

    /// <summary>
    /// After the level (not timed): each linked cluster of each completed erasure, read by its operator with its proof
    /// (<c>GET /v1/clusters/{id}</c>): anything but 404 counts. A completed erasure that left a cluster readable is no erasure.
    /// </summary>
    private static async Task<long> StillReadableAsync(HttpClient http, IEnumerable<Person> erased, CancellationToken cancellationToken)
    {
        long readable = 0;
        await Parallel.ForEachAsync(
            erased.SelectMany(person => person.Clusters),
            new ParallelOptions { MaxDegreeOfParallelism = PreparingInParallel, CancellationToken = cancellationToken },
            async (cluster, token) =>
            {
                using var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/clusters/{cluster.ClusterId}");
                read.Headers.Add("X-Flynn-Bootstrap-Id", cluster.BootstrapId);
                using var response = await http.SendAsync(read, token);
                if (response.StatusCode != HttpStatusCode.NotFound)
                {
                    Interlocked.Increment(ref readable);
                }
            });
        return readable;
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string token, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Sends <paramref name="request"/>; its JSON body when answered <paramref name="expected"/>, else an InvalidOperationException naming the route and status.</summary>
    private static async Task<JsonDocument> ExpectAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != expected)
        {
            // The route's template only: paths and bodies here carry ids and addresses.
            throw new InvalidOperationException($"{request.Method} {Template(request.RequestUri)} answered {(int)response.StatusCode}, not {(int)expected}.");
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return body.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(body);
    }

    /// <summary>The path without its ids: every segment as long as an id (16 characters or more) becomes <c>{id}</c>.</summary>
    private static string Template(Uri? uri) =>
        uri is null ? "?" : string.Join('/', uri.AbsolutePath.Split('/').Select(segment => segment.Length >= 16 ? "{id}" : segment));

    private sealed record Person(string Email, string Token, FlynnCluster[] Clusters, string? StepUpCode);
}

/// <param name="Result">Per erasure: DELETE sent → the poll that saw <c>completed</c> (ms); failures.</param>
/// <param name="UnavailablePolls">Polls of the request answered 503 (polled again, as a client does).</param>
/// <param name="StillReadable">Linked clusters of completed erasures whose data their operator could still read (must be none).</param>
internal sealed record ErasureLevel(int Concurrency, LoadResult Result, long UnavailablePolls, long StillReadable);

/// <param name="HalfLoad">The background ingest over the measured levels.</param>
/// <param name="HalfLoadTarget">The rate it was asked for (half the run's maximum).</param>
internal sealed record ErasureResult(
    IReadOnlyList<ErasureLevel> Levels, LoadResult HalfLoad, double HalfLoadTarget, long LoggedErrors, IReadOnlyList<string> FirstErrors);
