using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>
/// Every person-scoped and officer route against every kind of credential: missing, expired, forged or someone
/// else's. Only a valid token reaches a route, and then only the caller's own data; nothing changes otherwise.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class AuthorizationMatrixTests(SharedService service)
{
    private const string Issuer = "prime-directive";

    private readonly HttpClient _http = service.Http;

    public enum Credential
    {
        NoToken,
        ExpiredToken,
        TokenSignedWithAnotherKey,
        AlgNoneToken,
        GarbageToken,
        AnotherPersonsToken,
    }

    /// <summary>A route as the matrix drives it; <c>{request}</c>, <c>{cluster}</c>, <c>{bootstrap}</c>, <c>{name}</c> are filled per test.</summary>
    public sealed record Route(string Name, string Method, string Path, string? Body = null)
    {
        public bool IsOfficers => Path.StartsWith("/v1/admin/", StringComparison.Ordinal);

        public override string ToString() => Name;
    }

    private static readonly Route[] s_routes =
    [
        new("GET /v1/me", "GET", "/v1/me"),
        new("GET /v1/me?download=1", "GET", "/v1/me?download=1"),
        new("PATCH /v1/me", "PATCH", "/v1/me", "{\"name\":\"{name}\"}"),
        new("PUT /v1/me/consents/analytics", "PUT", "/v1/me/consents/analytics", "{\"granted\":true}"),
        new("POST /v1/me/clusters", "POST", "/v1/me/clusters", "{\"clusterId\":\"{cluster}\",\"bootstrapId\":\"{bootstrap}\"}"),
        new("POST /v1/me/step-up", "POST", "/v1/me/step-up", "{\"action\":\"erase-account\"}"),
        new("DELETE /v1/me", "DELETE", "/v1/me"),
        new("GET /v1/me/notifications", "GET", "/v1/me/notifications"),
        new("GET /v1/me/disclosures", "GET", "/v1/me/disclosures"),
        new("GET /v1/privacy-requests/{id}", "GET", "/v1/privacy-requests/{request}"),
        new("GET /v1/admin/child-removal-requests", "GET", "/v1/admin/child-removal-requests"),
        new("POST /v1/admin/child-removal-requests/{id}/decision", "POST", "/v1/admin/child-removal-requests/{request}/decision", "{\"approve\":true,\"reason\":\"Looks right.\"}"),
    ];

    public static TheoryData<Route, Credential> Matrix()
    {
        var data = new TheoryData<Route, Credential>();
        foreach (var route in s_routes)
        {
            foreach (var credential in Enum.GetValues<Credential>())
            {
                data.Add(route, credential);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Only_a_valid_token_reaches_a_route_and_only_for_the_callers_own_data(Route route, Credential credential)
    {
        // The victim: an active account with a linked cluster, so there is something to leak or change.
        var victim = await service.SignUpAsync();
        var (victimCluster, _) = await LinkNewClusterAsync(victim);

        // What the route would act on: a fresh cluster to link, a new name, a finished erasure, a child-removal request.
        var (cluster, bootstrap) = await NewClusterAsync();
        var newName = Infrastructure.People.NewName();
        Subject? subject = null;
        if (route.Path.Contains("{request}", StringComparison.Ordinal))
        {
            subject = route.IsOfficers ? await SubmitChildRemovalAsync() : await EraseFreshPersonAsync();
        }

        string Fill(string text) => text.Replace("{request}", subject?.RequestId, StringComparison.Ordinal)
            .Replace("{cluster}", cluster, StringComparison.Ordinal)
            .Replace("{bootstrap}", bootstrap, StringComparison.Ordinal)
            .Replace("{name}", newName, StringComparison.Ordinal);

        var victimBefore = await RawMeAsync(victim);
        var victimMessages = (await service.Outbox.MessagesToAsync(victim.Email)).Count;
        var requestRows = await PrivacyRequestRowsAsync();
        var subjectBefore = subject is null ? null : await ReadSubjectAsync(subject);

        var attacker = credential == Credential.AnotherPersonsToken ? await service.SignUpAsync() : null;
        var token = credential switch
        {
            Credential.NoToken => null,
            Credential.ExpiredToken => Mint(victim.UserId, expires: DateTime.UtcNow.AddHours(-1)),
            Credential.TokenSignedWithAnotherKey => Mint(victim.UserId, key: RandomNumberGenerator.GetBytes(32)),
            Credential.AlgNoneToken => HandMade(victim.UserId, "none", sign: null),
            Credential.GarbageToken => $"garbage.{Guid.NewGuid():N}.token",
            Credential.AnotherPersonsToken => attacker!.Token,
            _ => throw new ArgumentOutOfRangeException(nameof(credential)),
        };

        using var request = Build(route.Method, Fill(route.Path), route.Body is null ? null : Fill(route.Body), token);
        if (attacker is not null && route.Method == "DELETE")
        {
            // The attacker's own step-up code: enough to erase themselves, and only themselves.
            request.Headers.Add("X-Step-Up-Code", await service.StepUpCodeAsync(attacker));
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        // Nothing of the victim is ever in the answer, whoever asks.
        Assert.DoesNotContain(victim.Email, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(victim.Name, body, StringComparison.Ordinal);
        Assert.DoesNotContain(victim.UserId, body, StringComparison.Ordinal);
        Assert.DoesNotContain(victimCluster, body, StringComparison.OrdinalIgnoreCase);
        if (subject is not null)
        {
            Assert.DoesNotContain(subject.RequestId, body, StringComparison.Ordinal);
            Assert.DoesNotContain(subject.Capability, body, StringComparison.Ordinal);
        }

        var expectedRequestRows = requestRows;
        if (attacker is null)
        {
            AssertUnauthorized(response, body);
        }
        else if (route.IsOfficers)
        {
            AssertProblem(response, body, HttpStatusCode.Forbidden);
        }
        else
        {
            expectedRequestRows += await AssertActedOnlyForTheCallerAsync(route, response, body, attacker, subject, newName, cluster);
        }

        // The victim is exactly as before: same data, no message, no request; a bad DELETE left the account working.
        Assert.Equal(victimBefore, await RawMeAsync(victim));
        Assert.Equal(victimMessages, (await service.Outbox.MessagesToAsync(victim.Email)).Count);
        Assert.Equal(expectedRequestRows, await PrivacyRequestRowsAsync());
        if (subject is not null)
        {
            Assert.Equal(subjectBefore, await ReadSubjectAsync(subject));
        }

        if (attacker is null)
        {
            // Nobody took the new name (and the victim, whom every forged token names, linked nothing: see above).
            Assert.Equal(0, await service.Database.CountRowsContainingAsync(newName));
        }
    }

    private static readonly string[] s_problemMembers = ["type", "title", "status", "detail", "instance", "traceId"];

    /// <summary>Every operation the gateway serves under <c>/v1/admin/</c> (read from its OpenAPI document), path parameters filled with fresh ids.</summary>
    private static async Task<List<(string Method, string Path)>> AdminRoutesAsync(HttpClient http)
    {
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        string[] methods = ["get", "put", "post", "delete", "patch"];
        return [.. document["paths"]!.AsObject()
            .Where(path => path.Key.Contains("/v1/admin/", StringComparison.Ordinal))
            .SelectMany(path => path.Value!.AsObject().Where(operation => methods.Contains(operation.Key)).Select(operation => (
                operation.Key.ToUpperInvariant(),
                System.Text.RegularExpressions.Regex.Replace(path.Key.Replace("{region}", "eu", StringComparison.Ordinal), "{[^}]+}", _ => Guid.NewGuid().ToString("N")))))];
    }

    [Fact]
    public async Task An_officers_token_without_the_second_factor_gets_403_naming_it_on_every_admin_route_and_nothing_changes()
    {
        var officer = await service.SignUpAsync();
        var address = (await service.StartGatewayOnAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId,
        })).Single();
        using var http = new HttpClient { BaseAddress = address };
        var routes = await AdminRoutesAsync(http);
        Assert.True(routes.Count >= 30, $"only {routes.Count} officer operations found");
        var proposals = await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_type_string like '%proposal%'");

        foreach (var (method, path) in routes)
        {
            // With a body of the right shape where one is expected: the refusal must come before anything reads it.
            using var response = await http.SendAsync(Build(method, path, method is "GET" or "DELETE" ? null : "{}", officer.Token));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode}");
            var problem = JsonNode.Parse(body)!.AsObject();
            Assert.Equal("urn:prime-directive:problem:second-factor-required", (string?)problem["type"]);
            Assert.All(problem, member => Assert.Contains(member.Key, s_problemMembers));
        }

        // Nothing was proposed (every officer write is a proposal or an act on one), and no answer carried data.
        Assert.Equal(proposals, await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_type_string like '%proposal%'"));

        // The same officer with the factor is let through (the refusal was the factor's alone): every list reads.
        var withFactor = await OfficerFactors.UpgradeAsync(request => http.SendAsync(request), address, officer.Token);
        Assert.True(OfficerFactors.HasFactor(withFactor));
        foreach (var (_, path) in routes.Where(route => route.Method == "GET" && !route.Path.Contains("/eu/", StringComparison.Ordinal)).Take(3))
        {
            using var response = await http.SendAsync(Build("GET", path, null, withFactor));
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_receipt_answers_its_capability_and_anyone_else_gets_the_same_404_as_an_unknown_id_never_403()
    {
        var victim = await EraseFreshPersonAsync();
        var other = await EraseFreshPersonAsync();
        var attacker = await service.SignUpAsync();
        var unknown = $"eu-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        var wrongCapability = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

        // The reference answer: an id nobody ever used, asked with a valid token.
        using var reference = await _http.SendAsync(Build("GET", $"/v1/privacy-requests/{unknown}", null, attacker.Token));
        Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
        var expected = Comparable(await reference.Content.ReadAsStringAsync());
        Assert.Equal(ProblemType("not-found"), (string?)JsonNode.Parse(expected)!["type"]);

        var attempts = new (string What, string Path, string? Token)[]
        {
            ("another person's token", $"/v1/privacy-requests/{victim.RequestId}", attacker.Token),
            ("a wrong capability", $"/v1/privacy-requests/{victim.RequestId}?capability={wrongCapability}", null),
            ("a wrong capability with a valid token", $"/v1/privacy-requests/{victim.RequestId}?capability={wrongCapability}", attacker.Token),
            ("another request's capability", $"/v1/privacy-requests/{victim.RequestId}?capability={other.Capability}", null),
            ("a wrong capability for an unknown id", $"/v1/privacy-requests/{unknown}?capability={wrongCapability}", null),
            ("a real capability for an unknown id", $"/v1/privacy-requests/{unknown}?capability={victim.Capability}", null),
        };
        foreach (var (what, path, token) in attempts)
        {
            using var response = await _http.SendAsync(Build("GET", path, null, token));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(expected, Comparable(body));
            Assert.DoesNotContain(victim.RequestId, body, StringComparison.Ordinal);
            Assert.DoesNotContain(victim.Capability, body, StringComparison.Ordinal);
        }

        // Without any credential the answer is 401 whether or not the id exists.
        using var anonymousKnown = await _http.GetAsync($"/v1/privacy-requests/{victim.RequestId}");
        using var anonymousUnknown = await _http.GetAsync($"/v1/privacy-requests/{unknown}");
        AssertUnauthorized(anonymousKnown, await anonymousKnown.Content.ReadAsStringAsync());
        AssertUnauthorized(anonymousUnknown, await anonymousUnknown.Content.ReadAsStringAsync());
        Assert.Equal(Comparable(await anonymousUnknown.Content.ReadAsStringAsync()), Comparable(await anonymousKnown.Content.ReadAsStringAsync()));

        // The right capability, without any token, reads the receipt; the attempts above changed nothing.
        using var receipt = await _http.GetAsync(victim.ReceiptUrl);
        Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        Assert.Equal(victim.Snapshot, await receipt.Content.ReadAsStringAsync());
        var view = JsonNode.Parse(victim.Snapshot)!;
        Assert.Equal(victim.RequestId, (string?)view["requestId"]);
        Assert.Equal("completed", (string?)view["status"]);
    }

    [Fact]
    public async Task A_token_minted_here_with_the_service_key_is_accepted_so_each_forged_token_fails_for_the_reason_it_names()
    {
        var person = await service.SignUpAsync();
        var minted = Mint(person.UserId);
        var handMade = HandMade(person.UserId, "HS256", data => HMACSHA256.HashData(Convert.FromBase64String(service.SigningKey), data));

        foreach (var token in new[] { minted, handMade })
        {
            using var response = await _http.SendAsync(Build("GET", "/v1/me", null, token));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(person.UserId, (string?)(await Json.ReadAsync(response))["account"]!["userId"]);
        }
    }

    public static TheoryData<string> WronglyAddressedTokens() => ["wrong issuer", "wrong audience", "no expiry", "unknown account", "malformed subject", "HS512", "no token id"];

    [Theory]
    [MemberData(nameof(WronglyAddressedTokens))]
    public async Task A_token_signed_with_the_service_key_but_addressed_wrongly_cannot_erase_anyone(string what)
    {
        var victim = await service.SignUpAsync();
        var before = await RawMeAsync(victim);
        var requestRows = await PrivacyRequestRowsAsync();
        var token = what switch
        {
            "wrong issuer" => Mint(victim.UserId, issuer: "someone-else"),
            "wrong audience" => Mint(victim.UserId, audience: "someone-else"),
            "no expiry" => Mint(victim.UserId, noExpiry: true),
            "unknown account" => Mint($"eu-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}"),
            "malformed subject" => Mint("../" + victim.UserId),
            "HS512" => HandMade(victim.UserId, "HS512", data => HMACSHA512.HashData(Convert.FromBase64String(service.SigningKey), data)),

            // Every token we mint has an id, by which it is signed out; one without could never be.
            "no token id" => Mint(victim.UserId, noId: true),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        using var response = await _http.SendAsync(Build("DELETE", "/v1/me", null, token));

        AssertUnauthorized(response, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await RawMeAsync(victim));
        Assert.Equal(requestRows, await PrivacyRequestRowsAsync());
    }

    [Fact]
    public async Task An_erasure_stops_the_persons_tokens_when_it_is_accepted_not_when_its_first_step_runs()
    {
        // An owned service whose erasure workflow is held before its close step, so the step cannot be what stops the token.
        await using var held = await ServiceHost.StartOwnedAsync<HeldCloseService>();
        try
        {
            var person = await held.SignUpAsync();
            using var erase = await held.SendEraseAsync(person);
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);

            using var me = await held.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
            AssertUnauthorized(me, await me.Content.ReadAsStringAsync());
            using var consent = await held.Http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true }));
            AssertUnauthorized(consent, await consent.Content.ReadAsStringAsync());
            await held.CloseStepReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(held.Release.Task.IsCompleted);
        }
        finally
        {
            held.Release.TrySetResult();
        }
    }

    /// <summary>A service whose erasures wait before their close step until the test releases them.</summary>
    public sealed class HeldCloseService : ServiceHost, IPrivacyRequestFaults
    {
        public TaskCompletionSource CloseStepReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override string Purpose => "held-close";

        public async Task BeforeStepAsync(string requestId, string stepName)
        {
            if (stepName == "close")
            {
                CloseStepReached.TrySetResult();
                await Release.Task;
            }
        }

        public Task AfterStepAsync(string requestId, string stepName) => Task.CompletedTask;

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.AddSingleton<IPrivacyRequestFaults>(this);
    }

    /// <summary>Checks a valid token of another person: the route answered for the caller alone. Returns the privacy requests it created.</summary>
    private async Task<int> AssertActedOnlyForTheCallerAsync(Route route, HttpResponseMessage response, string body, Person caller, Subject? subject, string newName, string cluster)
    {
        switch (route.Method, route.Path)
        {
            case ("GET", "/v1/me" or "/v1/me?download=1"):
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var me = JsonNode.Parse(body)!;
                Assert.Equal(caller.UserId, (string?)me["account"]!["userId"]);
                Assert.Equal(caller.Email, (string?)me["account"]!["profile"]!["email"]);
                Assert.Equal(route.Path.Contains("download", StringComparison.Ordinal), response.Content.Headers.ContentDisposition?.DispositionType == "attachment");
                return 0;
            case ("PATCH", _):
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(newName, (string?)JsonNode.Parse(body)!["profile"]!["name"]);
                Assert.Equal(caller.Email, (string?)JsonNode.Parse(body)!["profile"]!["email"]);
                Assert.Equal(newName, (string?)(await _http.GetMeAsync(caller))["account"]!["profile"]!["name"]);
                return 0;
            case ("PUT", _):
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var consents = (await _http.GetMeAsync(caller))["account"]!["consents"]!.AsArray();
                Assert.True((bool)consents.Single(consent => (string?)consent!["purpose"] == "analytics")!["granted"]!);
                return 0;
            case ("POST", "/v1/me/clusters"):
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var linked = (await _http.GetMeAsync(caller))["account"]!["clusters"]!.AsArray();
                Assert.Equal(cluster, (string?)Assert.Single(linked)!["clusterId"]);
                return 0;
            case ("POST", "/v1/me/step-up"):
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                Assert.Matches(@"^\d{8}$", await service.NextStepUpCodeAsync(caller.Email, seen: []));
                return 0;
            case ("DELETE", _):
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                var accepted = JsonNode.Parse(body)!;
                using (var gone = await _http.SendAsync(caller.Request(HttpMethod.Get, "/v1/me")))
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
                }

                await WaitUntilCompletedAsync((string)accepted["receiptUrl"]!);
                return 1;
            case ("GET", "/v1/me/notifications" or "/v1/me/disclosures"):
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(System.Text.Json.JsonValueKind.Array, JsonNode.Parse(body)!.GetValueKind());
                return 0;
            case ("GET", _) when subject is not null:
                // Someone else's receipt is exactly the 404 of an id that never existed, asked with the same token.
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                var unknown = $"eu-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
                using (var reference = await _http.SendAsync(Build("GET", $"/v1/privacy-requests/{unknown}", null, caller.Token)))
                {
                    Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
                    Assert.Equal(Comparable(await reference.Content.ReadAsStringAsync()), Comparable(body));
                }

                return 0;
            default:
                throw new InvalidOperationException($"No expectation for {route}.");
        }
    }

    private static void AssertUnauthorized(HttpResponseMessage response, string body)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, challenge => challenge.Scheme == "Bearer");
        AssertProblem(response, body, HttpStatusCode.Unauthorized);
    }

    private static void AssertProblem(HttpResponseMessage response, string body, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["type"]));
    }

    /// <summary>A problem body without its per-request trace id, for comparing two answers.</summary>
    private static string Comparable(string body)
    {
        var problem = JsonNode.Parse(body)!.AsObject();
        problem.Remove("traceId");
        return problem.ToJsonString();
    }

    private static string ProblemType(string name) => "urn:prime-directive:problem:" + name;

    private static HttpRequestMessage Build(string method, string path, string? body, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : Json.Raw(body),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<string> RawMeAsync(Person person)
    {
        using var response = await _http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Privacy requests stored anywhere (state <c>request</c>; the shared collection runs one test at a time).</summary>
    private async Task<long> PrivacyRequestRowsAsync() =>
        await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_type_string = 'request'");

    private async Task<(string Cluster, string Bootstrap)> NewClusterAsync()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var report = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        return (cluster, bootstrap);
    }

    private async Task<(string Cluster, string Bootstrap)> LinkNewClusterAsync(Person person)
    {
        var (cluster, bootstrap) = await NewClusterAsync();
        using var link = await _http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = bootstrap }));
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        return (cluster, bootstrap);
    }

    /// <summary>A privacy request a test acts on, with its capability URL and its view once settled.</summary>
    private sealed record Subject(string RequestId, string ReceiptUrl, string Snapshot)
    {
        public string Capability => ReceiptUrl[(ReceiptUrl.IndexOf("capability=", StringComparison.Ordinal) + "capability=".Length)..];
    }

    /// <summary>A fresh person erased to completion (so nothing runs on in the background): their request and receipt.</summary>
    private async Task<Subject> EraseFreshPersonAsync()
    {
        var person = await service.SignUpAsync();
        using var erase = await service.SendEraseAsync(person, _http);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var accepted = await Json.ReadAsync(erase);
        var receiptUrl = (string)accepted["receiptUrl"]!;
        var snapshot = await WaitUntilCompletedAsync(receiptUrl);
        return new Subject((string)accepted["requestId"]!, receiptUrl, snapshot);
    }

    /// <summary>A parent's request to remove a fresh child's data, awaiting an officer's review.</summary>
    private async Task<Subject> SubmitChildRemovalAsync()
    {
        using var submit = await _http.PostAsync("/v1/child-removal-requests", Json.Body(new
        {
            childEmail = Infrastructure.People.NewEmail("child"),
            parentName = Infrastructure.People.NewName(),
            parentEmail = Infrastructure.People.NewEmail("parent"),
            statement = "I am the parent of this child.",
        }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var accepted = await Json.ReadAsync(submit);
        var receiptUrl = (string)accepted["receiptUrl"]!;
        using var view = await _http.GetAsync(receiptUrl);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        var snapshot = await view.Content.ReadAsStringAsync();
        Assert.Equal("awaiting-review", (string?)JsonNode.Parse(snapshot)!["status"]);
        return new Subject((string)accepted["requestId"]!, receiptUrl, snapshot);
    }

    private async Task<string?> ReadSubjectAsync(Subject subject)
    {
        using var response = await _http.GetAsync(subject.ReceiptUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> WaitUntilCompletedAsync(string receiptUrl) => await Eventually.ReturnsAsync(
        async () =>
        {
            using var response = await _http.GetAsync(receiptUrl);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : string.Empty;
        },
        body => body.Length > 0 && (string?)JsonNode.Parse(body)!["status"] == "completed",
        TimeSpan.FromSeconds(30),
        "the erasure completed");

    /// <summary>A token as the gateway would mint it, but with whatever the test changes.</summary>
    private string Mint(
        string subject, DateTime? expires = null, byte[]? key = null, string issuer = Issuer, string audience = Issuer,
        bool noExpiry = false, bool noId = false)
    {
        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        var issuedAt = expiry.AddHours(-1);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = noExpiry ? null : expiry,
            Claims = noId
                ? new Dictionary<string, object>(StringComparer.Ordinal) { [JwtRegisteredClaimNames.Sub] = subject }
                : new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    [JwtRegisteredClaimNames.Sub] = subject,
                    [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? Convert.FromBase64String(service.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// A well-formed, unexpired token with header <c>alg</c> <paramref name="algorithm"/>, signed by <paramref name="sign"/>
    /// or not at all; with an id (<c>jti</c>), as every token we mint has, so that it can be signed out.
    /// </summary>
    private static string HandMade(string subject, string algorithm, Func<byte[], byte[]>? sign)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode($"{{\"alg\":\"{algorithm}\",\"typ\":\"JWT\"}}");
        var payload = Base64UrlEncoder.Encode(
            $"{{\"iss\":\"{Issuer}\",\"aud\":\"{Issuer}\",\"sub\":\"{subject}\",\"jti\":\"{Guid.NewGuid():N}\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600}}}");
        var signature = sign is null ? string.Empty : Base64UrlEncoder.Encode(sign(System.Text.Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }
}
