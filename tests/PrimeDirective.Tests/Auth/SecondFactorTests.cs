using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtpNet;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Auth;

/// <summary>
/// Officers' second factor over real HTTP and PostgreSQL (issue 25, point 2): the emailed code alone reaches no officer
/// route; an officer enrols a TOTP authenticator (secret and recovery codes shown once, hashed and sealed at rest) and
/// gives its code for a token that carries the factor. A code is not replayable and a recovery code works once.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class SecondFactorTests(SharedService service)
{
    private const string Enrolment = "/v1/sessions/factor/enrolment";
    private const string Factor = "/v1/sessions/factor";

    /// <summary>A fresh officer and a plain client of a gateway that names them (no helper gives the factor for them).</summary>
    private async Task<(Person Officer, HttpClient Http)> OfficerAsync()
    {
        var officer = await service.SignUpAsync();
        var address = (await service.StartGatewayOnAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId,
        })).Single();
        return (officer, new HttpClient { BaseAddress = address });
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient http, string token, HttpMethod method, string path, object? body = null)
    {
        var person = new Person(string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, token);
        using var response = await http.SendAsync(person.Request(method, path, body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string Code(string secret, DateTime at) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at);

    private static JsonNode Member(JsonNode node, string name) =>
        node.AsObject().Single(member => string.Equals(member.Key, name, StringComparison.OrdinalIgnoreCase)).Value!;

    private static string ProblemType(JsonNode? problem) => (string)problem!["type"]!;

    private static HashSet<string> Methods(string token) =>
        [.. JsonNode.Parse(Base64UrlDecode(token.Split('.')[1]))!["amr"]!.AsArray().Select(method => (string)method!)];

    private static string Base64UrlDecode(string part) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(part.Replace('-', '+').Replace('_', '/').PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=')));

    [Fact]
    public async Task An_officer_enrols_gives_a_code_and_only_the_token_with_the_factor_reaches_officer_routes()
    {
        var (officer, http) = await OfficerAsync();
        using var _ = http;

        // The emailed code's token says so, and is refused on officer routes with what is missing, never data.
        Assert.Equal(["otp"], Methods(officer.Token));
        var (refused, problem) = await SendAsync(http, officer.Token, HttpMethod.Get, "/v1/admin/processors");
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal("urn:prime-directive:problem:second-factor-required", ProblemType(problem));
        Assert.Null(problem!["processors"]);

        // Giving a code before enrolling: 409, no token.
        var (early, earlyBody) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = "123456" });
        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Null(earlyBody!["token"]);

        var (enrolled, enrolment) = await SendAsync(http, officer.Token, HttpMethod.Post, Enrolment);
        Assert.Equal(HttpStatusCode.OK, enrolled);
        var secret = (string)enrolment!["secret"]!;
        Assert.Equal(32, secret.Length);
        Assert.StartsWith($"otpauth://totp/Prime%20Directive:{officer.UserId}?secret={secret}&issuer=Prime%20Directive", (string)enrolment["otpauthUri"]!, StringComparison.Ordinal);
        Assert.Equal(10, enrolment["recoveryCodes"]!.AsArray().Count);

        var (given, session) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = Code(secret, DateTime.UtcNow) });
        Assert.Equal(HttpStatusCode.OK, given);
        Assert.Equal(officer.UserId, (string)session!["userId"]!);
        var token = (string)session["token"]!;
        Assert.Equal(["otp", "mfa"], Methods(token));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, token, HttpMethod.Get, "/v1/admin/processors")).Status);

        // Confirmed: the secret is never shown again, and the email-code token still reaches no officer route.
        var (again, againBody) = await SendAsync(http, officer.Token, HttpMethod.Post, Enrolment);
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.DoesNotContain(secret, againBody!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, officer.Token, HttpMethod.Get, "/v1/admin/processors")).Status);
    }

    [Fact]
    public async Task A_wrong_code_and_a_replayed_code_are_refused_with_no_token()
    {
        var (officer, http) = await OfficerAsync();
        using var _ = http;
        var secret = (string)(await SendAsync(http, officer.Token, HttpMethod.Post, Enrolment)).Body!["secret"]!;
        var now = DateTime.UtcNow;
        var code = Code(secret, now);
        var wrong = code[..^1] + (char)('0' + ((code[^1] - '0' + 1) % 10));

        var (wrongStatus, wrongBody) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = wrong });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStatus);
        Assert.Equal("urn:prime-directive:problem:invalid-code", ProblemType(wrongBody));
        Assert.Null(wrongBody!["token"]);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code })).Status);
        var (replayed, replayBody) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code });
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
        Assert.Null(replayBody!["token"]);

        // A code of an earlier step than the one used is refused too (no replay of a code seen earlier).
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = Code(secret, now.AddSeconds(-30)) })).Status);

        // Malformed input: 400-class problem naming the field, nothing used up.
        var (malformed, malformedBody) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = "12345" });
        Assert.True(malformed is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"{malformed}");
        Assert.NotNull(malformedBody!["errors"]!["code"]);
    }

    [Fact]
    public async Task A_recovery_code_works_once_and_the_stored_factor_holds_no_recovery_code_in_clear_and_is_sealed()
    {
        var (officer, http) = await OfficerAsync();
        using var _ = http;
        var enrolment = (await SendAsync(http, officer.Token, HttpMethod.Post, Enrolment)).Body!;
        var secret = (string)enrolment["secret"]!;
        var codes = enrolment["recoveryCodes"]!.AsArray().Select(code => (string)code!).ToList();

        var (first, session) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = codes[0] });
        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(["otp", "mfa"], Methods((string)session!["token"]!));
        var (second, secondBody) = await SendAsync(http, officer.Token, HttpMethod.Post, Factor, new { code = codes[0] });
        Assert.Equal(HttpStatusCode.Unauthorized, second);
        Assert.Null(secondBody!["token"]);

        // The stored row is sealed whole (the secret is not readable in it) ...
        var key = Erasure.KeysOf(service).Users.ForUser(officer.UserId);
        var payload = await service.Database.ScalarAsync<byte[]>(
            "select payload_binary from grain_state where grain_id_extension_string = @key and grain_type_string = 'officer-factor'", ("key", key));
        Assert.NotNull(payload);
        var raw = Encoding.UTF8.GetString(payload!);
        Assert.DoesNotContain(secret, raw, StringComparison.OrdinalIgnoreCase);
        var sealedValue = JsonDocument.Parse(raw).RootElement.GetProperty(SealedGrainStorage.Member).GetBytesFromBase64();

        // ... and opened, it keeps the nine unused recovery codes only as salted hashes.
        var opened = Encoding.UTF8.GetString((await service.Database.Sealer!.OpenAsync(SealedGrainStorage.ContextFor(key), sealedValue))!);
        foreach (var code in codes)
        {
            Assert.DoesNotContain(code, opened, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(code.Replace("-", string.Empty, StringComparison.Ordinal), opened, StringComparison.OrdinalIgnoreCase);
        }

        var stored = Member(JsonNode.Parse(opened)!, "recoveryCodes").AsArray();
        Assert.Equal(9, stored.Count);
        Assert.All(stored, hashed => Assert.Equal(44, ((string)Member(hashed!, "hash")!).Length));
    }

    [Fact]
    public async Task A_person_who_is_no_officer_enrols_nothing_and_gets_no_factor_token()
    {
        var (_, http) = await OfficerAsync();
        using var __ = http;
        var person = await service.SignUpAsync();

        var (enrolled, enrolment) = await SendAsync(http, person.Token, HttpMethod.Post, Enrolment);
        Assert.Equal(HttpStatusCode.Forbidden, enrolled);
        Assert.Null(enrolment!["secret"]);
        var (given, session) = await SendAsync(http, person.Token, HttpMethod.Post, Factor, new { code = "123456" });
        Assert.Equal(HttpStatusCode.Forbidden, given);
        Assert.Null(session!["token"]);
        Assert.Equal(0L, await service.Database.ScalarAsync<long>(
            "select count(*) from grain_state where grain_id_extension_string = @key and grain_type_string = 'officer-factor'", ("key", Erasure.KeysOf(service).Users.ForUser(person.UserId))));

        // The person's own routes are as before; officer routes say "forbidden", not that a factor is missing.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, person.Token, HttpMethod.Get, "/v1/me")).Status);
        var (admin, problem) = await SendAsync(http, person.Token, HttpMethod.Get, "/v1/admin/processors");
        Assert.Equal(HttpStatusCode.Forbidden, admin);
        Assert.Equal("urn:prime-directive:problem:forbidden", ProblemType(problem));
    }

    [Fact]
    public async Task Erasing_an_officers_account_deletes_its_second_factor_with_it()
    {
        var (officer, http) = await OfficerAsync();
        using var _ = http;
        var (enrolled, _) = await SendAsync(http, officer.Token, HttpMethod.Post, Enrolment);
        Assert.Equal(HttpStatusCode.OK, enrolled);
        var key = Erasure.KeysOf(service).Users.ForUser(officer.UserId);
        const string Rows = "select count(*) from grain_state where grain_id_extension_string = @key";
        Assert.Equal(2L, await service.Database.ScalarAsync<long>(Rows, ("key", key)));

        var (_, receiptUrl) = await Erasure.EraseAsync(service, officer);
        await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(60));

        // Neither the account nor its factor keeps a row, not even one its destroyed key would leave unreadable.
        Assert.Equal(0L, await service.Database.ScalarAsync<long>(Rows, ("key", key)));
    }
}
