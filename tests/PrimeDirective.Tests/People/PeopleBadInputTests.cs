using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using MimeKit;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>
/// Bad input on every people route gets the right problem, echoes nothing it was sent, and changes nothing:
/// no message, no stored row, no log line with the submitted values, the person's data as it was.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class PeopleBadInputTests(SharedService service)
{
    private const string JsonMedia = "application/json";
    private const string Unsupported = "unsupported-media-type";
    private const string TooLarge = "payload-too-large";
    private const string Invalid = "invalid-request";
    private const string Validation = "validation";
    private const string NotFound = "not-found";

    private const string Users = "/v1/users";
    private const string Sessions = "/v1/sessions";
    private const string Verify = "/v1/sessions/verify";
    private const string Me = "/v1/me";
    private const string Analytics = "/v1/me/consents/analytics";
    private const string Clusters = "/v1/me/clusters";
    private const string ChildRemoval = "/v1/child-removal-requests";
    private const string Decision = "/v1/admin/child-removal-requests/{request}/decision";

    private readonly HttpClient _http = service.Http;

    /// <summary>
    /// One bad request. Placeholders: <c>{fresh}</c> (a marker in every submitted value), <c>{email}</c> and <c>{name}</c>
    /// (fresh), <c>{person}</c> (the test person's address), <c>{code}</c> (their live sign-in code), <c>{cluster}</c> and
    /// <c>{bootstrap}</c> (a cluster that really reported), <c>{request}</c> (a child-removal request awaiting review),
    /// <c>{future}</c>, <c>{big}</c> (70 KiB).
    /// </summary>
    public sealed record BadInput(string Name, string Method, string Path, string? ContentType, string? Body, HttpStatusCode Expected, string Type, bool Chunked = false)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<BadInput> BadInputs()
    {
        const string email = "\"{email}\"";
        const string name = "\"{name}\"";
        const string eu = "\"eu\"";
        const string adult = "\"1984-02-29\"";
        var overlongName = $"\"{new string('n', 180)} {{fresh}}\"";
        var overlongEmail = $"\"{new string('e', 250)}{{fresh}}@example.test\"";
        var overlongStatement = $"\"{new string('s', 4000)}{{fresh}}\"";
        var overlongReason = $"\"{new string('r', 1000)}{{fresh}}\"";
        const string big = "\"{big}\"";

        static string Obj(params string?[] members) => "{" + string.Join(',', members.Where(member => member is not null)) + "}";
        static string F(string key, string? raw) => raw is null ? null! : $"\"{key}\":{raw}";
        static string SignUp(string? email = email, string? name = name, string? region = eu, string? birthDate = adult, string? extra = null) =>
            Obj(F("email", email), F("name", name), F("region", region), F("birthDate", birthDate), extra);
        static string Child(string? child = "\"child-{fresh}@example.test\"", string? parentName = name, string? parentEmail = email, string? statement = "\"I am the parent {fresh}.\"", string? extra = null) =>
            Obj(F("childEmail", child), F("parentName", parentName), F("parentEmail", parentEmail), F("statement", statement), extra);
        static string Link(string? cluster = "\"{cluster}\"", string? bootstrap = "\"{bootstrap}\"", string? region = null, string? extra = null) =>
            Obj(F("clusterId", cluster), F("bootstrapId", bootstrap), F("region", region), extra);
        static string Verification(string? email = "\"{person}\"", string? code = "\"{code}\"", string? extra = null) =>
            Obj(F("email", email), F("code", code), extra);
        static string Decide(string? approve = "true", string? reason = "\"Checked {fresh}.\"", string? extra = null) =>
            Obj(F("approve", approve), F("reason", reason), extra);

        var data = new TheoryData<BadInput>
        {
            // POST /v1/users
            new("sign-up: text/plain", "POST", Users, "text/plain", SignUp(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("sign-up: no content type", "POST", Users, null, SignUp(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("sign-up: form-encoded", "POST", Users, "application/x-www-form-urlencoded", "email={email}&name={name}&region=eu&birthDate=1984-02-29", HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("sign-up: JSON in UTF-16", "POST", Users, "application/json; charset=utf-16", SignUp(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("sign-up: body over 64 KiB", "POST", Users, JsonMedia, SignUp(name: big), HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("sign-up: body over 64 KiB, chunked", "POST", Users, JsonMedia, SignUp(name: big), HttpStatusCode.RequestEntityTooLarge, TooLarge, Chunked: true),
            new("sign-up: malformed JSON", "POST", Users, JsonMedia, "{\"email\":\"{email}\",\"name\":\"{name}\"", HttpStatusCode.BadRequest, Invalid),
            new("sign-up: empty body", "POST", Users, JsonMedia, string.Empty, HttpStatusCode.BadRequest, Invalid),
            new("sign-up: array instead of object", "POST", Users, JsonMedia, $"[{SignUp()}]", HttpStatusCode.BadRequest, Invalid),
            new("sign-up: unknown field", "POST", Users, JsonMedia, SignUp(extra: "\"password\":\"{fresh}\""), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: unknown field named after a value", "POST", Users, JsonMedia, SignUp(extra: "\"{email}\":true"), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: duplicated field", "POST", Users, JsonMedia, SignUp(extra: "\"name\":\"Other {fresh}\""), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: missing birthDate", "POST", Users, JsonMedia, SignUp(birthDate: null), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: missing email", "POST", Users, JsonMedia, SignUp(email: null), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: null name", "POST", Users, JsonMedia, SignUp(name: "null"), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: email a number", "POST", Users, JsonMedia, SignUp(email: "12345"), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: name an object", "POST", Users, JsonMedia, SignUp(name: "{\"first\":\"{name}\"}"), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: birthDate a number", "POST", Users, JsonMedia, SignUp(birthDate: "19840229"), HttpStatusCode.BadRequest, Invalid),
            new("sign-up: invalid email", "POST", Users, JsonMedia, SignUp(email: "\"not-an-email-{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: email with a display name", "POST", Users, JsonMedia, SignUp(email: "\"Someone <{email}>\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: email with an injected header", "POST", Users, JsonMedia, SignUp(email: "\"{email}\\r\\nBcc: evil-{fresh}@example.test\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: email with two @", "POST", Users, JsonMedia, SignUp(email: "\"a@{email}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: email without a domain dot", "POST", Users, JsonMedia, SignUp(email: "\"{fresh}@localhost\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: email over 254 characters", "POST", Users, JsonMedia, SignUp(email: overlongEmail), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: empty name", "POST", Users, JsonMedia, SignUp(name: "\"\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: blank name", "POST", Users, JsonMedia, SignUp(name: "\"   \""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: name over 200 characters", "POST", Users, JsonMedia, SignUp(name: overlongName), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: name with a bell", "POST", Users, JsonMedia, SignUp(name: "\"Name\\u0007{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: name with a line break", "POST", Users, JsonMedia, SignUp(name: "\"Name\\r\\n{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: name with NUL", "POST", Users, JsonMedia, SignUp(name: "\"Name\\u0000{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: birthDate far in the future", "POST", Users, JsonMedia, SignUp(birthDate: "\"2999-01-01\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: birthDate the day after tomorrow", "POST", Users, JsonMedia, SignUp(birthDate: "\"{future}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: birthDate not a date", "POST", Users, JsonMedia, SignUp(birthDate: "\"{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: birthDate an impossible day", "POST", Users, JsonMedia, SignUp(birthDate: "\"1984-02-30\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: birthDate in another format", "POST", Users, JsonMedia, SignUp(birthDate: "\"29.02.1984\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: birthDate before 1900", "POST", Users, JsonMedia, SignUp(birthDate: "\"1899-12-31\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("sign-up: unknown region", "POST", Users, JsonMedia, SignUp(region: "\"mars\""), HttpStatusCode.UnprocessableEntity, Validation),

            // POST /v1/sessions (the address is a real account's: a slip would send it a code)
            new("sign-in: text/plain", "POST", Sessions, "text/plain", "{\"email\":\"{person}\"}", HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("sign-in: body over 64 KiB", "POST", Sessions, JsonMedia, "{\"email\":\"{person}\",\"pad\":\"{big}\"}", HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("sign-in: malformed JSON", "POST", Sessions, JsonMedia, "{\"email\":\"{person}\"", HttpStatusCode.BadRequest, Invalid),
            new("sign-in: array instead of object", "POST", Sessions, JsonMedia, "[\"{person}\"]", HttpStatusCode.BadRequest, Invalid),
            new("sign-in: unknown field", "POST", Sessions, JsonMedia, "{\"email\":\"{person}\",\"name\":\"{name}\"}", HttpStatusCode.BadRequest, Invalid),
            new("sign-in: missing email", "POST", Sessions, JsonMedia, "{}", HttpStatusCode.BadRequest, Invalid),
            new("sign-in: email a number", "POST", Sessions, JsonMedia, "{\"email\":12345}", HttpStatusCode.BadRequest, Invalid),
            new("sign-in: invalid email", "POST", Sessions, JsonMedia, "{\"email\":\"not-an-email-{fresh}\"}", HttpStatusCode.UnprocessableEntity, Validation),

            // POST /v1/sessions/verify (with a live code: a slip would use it up)
            new("verify: text/plain", "POST", Verify, "text/plain", Verification(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("verify: body over 64 KiB", "POST", Verify, JsonMedia, Verification(extra: "\"pad\":\"{big}\""), HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("verify: malformed JSON", "POST", Verify, JsonMedia, "{\"email\":\"{person}\",\"code\":\"{code}\",}", HttpStatusCode.BadRequest, Invalid),
            new("verify: array instead of object", "POST", Verify, JsonMedia, $"[{Verification()}]", HttpStatusCode.BadRequest, Invalid),
            new("verify: unknown field", "POST", Verify, JsonMedia, Verification(extra: "\"region\":\"eu\""), HttpStatusCode.BadRequest, Invalid),
            new("verify: missing code", "POST", Verify, JsonMedia, Verification(code: null), HttpStatusCode.BadRequest, Invalid),
            new("verify: code a number", "POST", Verify, JsonMedia, Verification(code: "{code}"), HttpStatusCode.BadRequest, Invalid),
            new("verify: email a number", "POST", Verify, JsonMedia, Verification(email: "12345"), HttpStatusCode.BadRequest, Invalid),
            new("verify: invalid email", "POST", Verify, JsonMedia, Verification(email: "\"not-an-email-{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("verify: code of 7 digits", "POST", Verify, JsonMedia, Verification(code: "\"1234567\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("verify: code of 9 digits", "POST", Verify, JsonMedia, Verification(code: "\"{code}0\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("verify: code with letters", "POST", Verify, JsonMedia, Verification(code: "\"1234abcd\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("verify: code with a space", "POST", Verify, JsonMedia, Verification(code: "\" {code}\""), HttpStatusCode.UnprocessableEntity, Validation),

            // PATCH /v1/me
            new("correct: text/plain", "PATCH", Me, "text/plain", "{\"name\":\"{name}\"}", HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("correct: XML", "PATCH", Me, "application/xml", "<name>{name}</name>", HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("correct: body over 64 KiB", "PATCH", Me, JsonMedia, "{\"name\":\"{big}\"}", HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("correct: malformed JSON", "PATCH", Me, JsonMedia, "{\"name\":\"{name}", HttpStatusCode.BadRequest, Invalid),
            new("correct: array instead of object", "PATCH", Me, JsonMedia, "[{\"name\":\"{name}\"}]", HttpStatusCode.BadRequest, Invalid),
            new("correct: unknown field", "PATCH", Me, JsonMedia, "{\"name\":\"{name}\",\"role\":\"privacy-officer\"}", HttpStatusCode.BadRequest, Invalid),
            new("correct: unknown field userId", "PATCH", Me, JsonMedia, "{\"name\":\"{name}\",\"userId\":\"eu-{fresh}\"}", HttpStatusCode.BadRequest, Invalid),
            new("correct: nothing to correct", "PATCH", Me, JsonMedia, "{}", HttpStatusCode.BadRequest, Invalid),
            new("correct: only nulls", "PATCH", Me, JsonMedia, "{\"name\":null}", HttpStatusCode.BadRequest, Invalid),
            new("correct: name a number", "PATCH", Me, JsonMedia, "{\"name\":42}", HttpStatusCode.BadRequest, Invalid),
            new("correct: email a number", "PATCH", Me, JsonMedia, "{\"email\":12345}", HttpStatusCode.BadRequest, Invalid),
            new("correct: birthDate a number", "PATCH", Me, JsonMedia, "{\"birthDate\":19840229}", HttpStatusCode.BadRequest, Invalid),
            new("correct: emailCode without email", "PATCH", Me, JsonMedia, "{\"name\":\"{name}\",\"emailCode\":\"12345678\"}", HttpStatusCode.BadRequest, Invalid),
            new("correct: invalid email", "PATCH", Me, JsonMedia, "{\"email\":\"not-an-email-{fresh}\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: empty name", "PATCH", Me, JsonMedia, "{\"name\":\"\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: name over 200 characters", "PATCH", Me, JsonMedia, $"{{\"name\":{overlongName}}}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: name with a control character", "PATCH", Me, JsonMedia, "{\"name\":\"Name\\u001b[31m{fresh}\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: birthDate the day after tomorrow", "PATCH", Me, JsonMedia, "{\"birthDate\":\"{future}\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: birthDate not a date", "PATCH", Me, JsonMedia, "{\"birthDate\":\"{fresh}\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: birthDate before 1900", "PATCH", Me, JsonMedia, "{\"birthDate\":\"1899-12-31\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: a good name with a bad birthDate changes neither", "PATCH", Me, JsonMedia, "{\"name\":\"{name}\",\"birthDate\":\"2999-01-01\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: a new email with a bad name sends no code", "PATCH", Me, JsonMedia, "{\"email\":\"{email}\",\"name\":\"\\u0000{fresh}\"}", HttpStatusCode.UnprocessableEntity, Validation),
            new("correct: emailCode of 7 digits", "PATCH", Me, JsonMedia, "{\"email\":\"{email}\",\"emailCode\":\"1234567\"}", HttpStatusCode.UnprocessableEntity, Validation),

            // PUT /v1/me/consents/{purpose}
            new("consent: text/plain", "PUT", Analytics, "text/plain", "{\"granted\":true}", HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("consent: body over 64 KiB", "PUT", Analytics, JsonMedia, "{\"granted\":true,\"pad\":\"{big}\"}", HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("consent: malformed JSON", "PUT", Analytics, JsonMedia, "{\"granted\":tru}", HttpStatusCode.BadRequest, Invalid),
            new("consent: array instead of object", "PUT", Analytics, JsonMedia, "[true]", HttpStatusCode.BadRequest, Invalid),
            new("consent: bare boolean", "PUT", Analytics, JsonMedia, "true", HttpStatusCode.BadRequest, Invalid),
            new("consent: unknown field", "PUT", Analytics, JsonMedia, "{\"granted\":true,\"purpose\":\"analytics\"}", HttpStatusCode.BadRequest, Invalid),
            new("consent: missing granted", "PUT", Analytics, JsonMedia, "{}", HttpStatusCode.BadRequest, Invalid),
            new("consent: granted a string", "PUT", Analytics, JsonMedia, "{\"granted\":\"yes\"}", HttpStatusCode.BadRequest, Invalid),
            new("consent: granted a number", "PUT", Analytics, JsonMedia, "{\"granted\":1}", HttpStatusCode.BadRequest, Invalid),
            new("consent: withdraw service-provision", "PUT", "/v1/me/consents/service-provision", JsonMedia, "{\"granted\":false}", HttpStatusCode.UnprocessableEntity, Validation),
            new("consent: grant service-provision", "PUT", "/v1/me/consents/service-provision", JsonMedia, "{\"granted\":true}", HttpStatusCode.UnprocessableEntity, Validation),
            new("consent: unknown purpose", "PUT", "/v1/me/consents/marketing", JsonMedia, "{\"granted\":true}", HttpStatusCode.NotFound, NotFound),
            new("consent: purpose in another case", "PUT", "/v1/me/consents/Analytics", JsonMedia, "{\"granted\":true}", HttpStatusCode.NotFound, NotFound),
            new("consent: purpose named by its enum", "PUT", "/v1/me/consents/ThirdPartySharing", JsonMedia, "{\"granted\":true}", HttpStatusCode.NotFound, NotFound),
            new("consent: purpose a number", "PUT", "/v1/me/consents/3", JsonMedia, "{\"granted\":true}", HttpStatusCode.NotFound, NotFound),
            new("consent: purpose is a fresh value", "PUT", "/v1/me/consents/p{fresh}", JsonMedia, "{\"granted\":true}", HttpStatusCode.NotFound, NotFound),

            // POST /v1/me/clusters (the cluster really reported: a slip would link it)
            new("link: text/plain", "POST", Clusters, "text/plain", Link(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("link: body over 64 KiB", "POST", Clusters, JsonMedia, Link(extra: "\"pad\":\"{big}\""), HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("link: malformed JSON", "POST", Clusters, JsonMedia, "{\"clusterId\":\"{cluster}\",\"bootstrapId\":", HttpStatusCode.BadRequest, Invalid),
            new("link: array instead of object", "POST", Clusters, JsonMedia, $"[{Link()}]", HttpStatusCode.BadRequest, Invalid),
            new("link: unknown field", "POST", Clusters, JsonMedia, Link(extra: "\"userId\":\"eu-{fresh}\""), HttpStatusCode.BadRequest, Invalid),
            new("link: missing bootstrapId", "POST", Clusters, JsonMedia, Link(bootstrap: null), HttpStatusCode.BadRequest, Invalid),
            new("link: clusterId a number", "POST", Clusters, JsonMedia, Link(cluster: "12345"), HttpStatusCode.BadRequest, Invalid),
            new("link: region a number", "POST", Clusters, JsonMedia, Link(region: "1"), HttpStatusCode.BadRequest, Invalid),
            new("link: clusterId not a UUID", "POST", Clusters, JsonMedia, Link(cluster: "\"cluster-{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("link: clusterId without hyphens", "POST", Clusters, JsonMedia, Link(cluster: "\"{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("link: bootstrapId not a UUID", "POST", Clusters, JsonMedia, Link(bootstrap: "\"bootstrap-{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("link: unknown region", "POST", Clusters, JsonMedia, Link(region: "\"mars\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("link: wrong proof", "POST", Clusters, JsonMedia, Link(bootstrap: "\"{uuid}\""), HttpStatusCode.NotFound, NotFound),
            new("link: unknown cluster", "POST", Clusters, JsonMedia, Link(cluster: "\"{uuid}\""), HttpStatusCode.NotFound, NotFound),

            // POST /v1/child-removal-requests
            new("child removal: text/plain", "POST", ChildRemoval, "text/plain", Child(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("child removal: body over 64 KiB", "POST", ChildRemoval, JsonMedia, Child(statement: big), HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("child removal: malformed JSON", "POST", ChildRemoval, JsonMedia, Child()[..^2], HttpStatusCode.BadRequest, Invalid),
            new("child removal: array instead of object", "POST", ChildRemoval, JsonMedia, $"[{Child()}]", HttpStatusCode.BadRequest, Invalid),
            new("child removal: unknown field", "POST", ChildRemoval, JsonMedia, Child(extra: "\"childName\":\"{name}\""), HttpStatusCode.BadRequest, Invalid),
            new("child removal: missing statement", "POST", ChildRemoval, JsonMedia, Child(statement: null), HttpStatusCode.BadRequest, Invalid),
            new("child removal: parentEmail a number", "POST", ChildRemoval, JsonMedia, Child(parentEmail: "12345"), HttpStatusCode.BadRequest, Invalid),
            new("child removal: invalid childEmail", "POST", ChildRemoval, JsonMedia, Child(child: "\"child-{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("child removal: invalid parentEmail", "POST", ChildRemoval, JsonMedia, Child(parentEmail: "\"parent-{fresh}@\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("child removal: empty parentName", "POST", ChildRemoval, JsonMedia, Child(parentName: "\"\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("child removal: parentName over 200 characters", "POST", ChildRemoval, JsonMedia, Child(parentName: overlongName), HttpStatusCode.UnprocessableEntity, Validation),
            new("child removal: parentName with a control character", "POST", ChildRemoval, JsonMedia, Child(parentName: "\"Parent\\u0008{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("child removal: empty statement", "POST", ChildRemoval, JsonMedia, Child(statement: "\" \""), HttpStatusCode.UnprocessableEntity, Validation),
            new("child removal: statement over 4000 characters", "POST", ChildRemoval, JsonMedia, Child(statement: overlongStatement), HttpStatusCode.UnprocessableEntity, Validation),

            // POST /v1/admin/child-removal-requests/{id}/decision (by an officer; approving would erase and notify)
            new("decision: text/plain", "POST", Decision, "text/plain", Decide(), HttpStatusCode.UnsupportedMediaType, Unsupported),
            new("decision: body over 64 KiB", "POST", Decision, JsonMedia, Decide(reason: big), HttpStatusCode.RequestEntityTooLarge, TooLarge),
            new("decision: malformed JSON", "POST", Decision, JsonMedia, "{\"approve\":true,", HttpStatusCode.BadRequest, Invalid),
            new("decision: array instead of object", "POST", Decision, JsonMedia, "[true]", HttpStatusCode.BadRequest, Invalid),
            new("decision: unknown field", "POST", Decision, JsonMedia, Decide(extra: "\"officer\":\"eu-{fresh}\""), HttpStatusCode.BadRequest, Invalid),
            new("decision: missing approve", "POST", Decision, JsonMedia, Decide(approve: null), HttpStatusCode.BadRequest, Invalid),
            new("decision: approve a string", "POST", Decision, JsonMedia, Decide(approve: "\"yes\""), HttpStatusCode.BadRequest, Invalid),
            new("decision: empty reason", "POST", Decision, JsonMedia, Decide(reason: "\"\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("decision: reason over 1000 characters", "POST", Decision, JsonMedia, Decide(reason: overlongReason), HttpStatusCode.UnprocessableEntity, Validation),
            new("decision: reason with a control character", "POST", Decision, JsonMedia, Decide(reason: "\"Checked\\u0007{fresh}\""), HttpStatusCode.UnprocessableEntity, Validation),
            new("decision: unknown request", "POST", "/v1/admin/child-removal-requests/eu-{hex}/decision", JsonMedia, Decide(), HttpStatusCode.NotFound, NotFound),
            new("decision: malformed request id", "POST", "/v1/admin/child-removal-requests/{fresh}/decision", JsonMedia, Decide(), HttpStatusCode.NotFound, NotFound),
            new("decision: unknown region in the id", "POST", "/v1/admin/child-removal-requests/mars-{hex}/decision", JsonMedia, Decide(), HttpStatusCode.NotFound, NotFound),
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_a_problem_echoes_nothing_and_changes_nothing(BadInput bad)
    {
        var fresh = Guid.NewGuid().ToString("N");
        var email = $"bad-{fresh}@example.test";
        var name = $"Name {fresh}";
        var route = bad.Path.StartsWith("/v1/admin/", StringComparison.Ordinal) ? Decision : bad.Path.StartsWith("/v1/me", StringComparison.Ordinal) ? Me : bad.Path;

        // Whatever the route could act on, so that a slip would show.
        var http = _http;
        Person? person = null;
        string? code = null;
        string? token = null;
        var cluster = (Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId());
        (string RequestId, string ReceiptUrl, string ParentEmail)? request = null;
        if (route is Sessions or Verify or Me)
        {
            // A live code needs a person of the case's own (an address gets five messages per code lifetime); every other
            // case may use the class's person, whom it must leave exactly as it found them (checked below).
            person = route is Verify ? await service.SignUpAsync() : await s_people.GetValue(service, shared => shared.SignUpAsync());
            token = person.Token;
        }

        if (route is Verify)
        {
            using var signIn = await _http.PostAsync(Sessions, Json.Body(new { email = person!.Email }));
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
            code = await service.Outbox.NextCodeAsync(person.Email, seen: 1);
        }

        if (bad.Path.StartsWith(Clusters, StringComparison.Ordinal))
        {
            using var report = await _http.SendAsync(Flynn.SchedulerReport(cluster.Cluster, cluster.Bootstrap));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        if (route is Decision)
        {
            (http, token) = await s_officerGateways.GetValue(service, StartOfficerGatewayAsync);
            request = await SubmitChildRemovalAsync();
        }

        string Fill(string text) => text
            .Replace("{big}", new string('x', 70 * 1024) + "{fresh}", StringComparison.Ordinal)
            .Replace("{email}", email, StringComparison.Ordinal)
            .Replace("{name}", name, StringComparison.Ordinal)
            .Replace("{person}", person?.Email, StringComparison.Ordinal)
            .Replace("{code}", code, StringComparison.Ordinal)
            .Replace("{cluster}", cluster.Cluster, StringComparison.Ordinal)
            .Replace("{bootstrap}", cluster.Bootstrap, StringComparison.Ordinal)
            .Replace("{uuid}", Flynn.NewId(), StringComparison.Ordinal)
            .Replace("{request}", request?.RequestId, StringComparison.Ordinal)
            .Replace("{hex}", Guid.NewGuid().ToString("N"), StringComparison.Ordinal)
            .Replace("{future}", DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{fresh}", fresh, StringComparison.Ordinal);

        var meBefore = person is null ? null : await RawMeAsync(person);
        var personMessages = person is null ? 0 : (await service.Outbox.MessagesToAsync(person.Email)).Count;
        var requestBefore = request is null ? null : await ReadAsync(request.Value.ReceiptUrl);
        var parentMessages = request is null ? 0 : (await service.Outbox.MessagesToAsync(request.Value.ParentEmail)).Count;
        var requestRows = await PrivacyRequestRowsAsync();
        var outboxBefore = OutboxFiles();

        using var message = new HttpRequestMessage(new HttpMethod(bad.Method), Fill(bad.Path));
        if (bad.Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(Fill(bad.Body));
            HttpContent content = bad.Chunked ? new StreamContent(new NonSeekableStream(bytes)) : new ByteArrayContent(bytes);
            if (bad.ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", bad.ContentType);
            }

            message.Content = content;
        }

        if (token is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();

        // The right problem, and none of what was sent in it.
        Assert.Equal(bad.Expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal((int)bad.Expected, (int)problem["status"]!);
        Assert.Equal("urn:prime-directive:problem:" + bad.Type, (string?)problem["type"]);
        Assert.DoesNotContain(fresh, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(email, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(name, body, StringComparison.Ordinal);
        if (code is not null)
        {
            Assert.DoesNotContain(code, body, StringComparison.Ordinal);
        }

        // Nothing stored, sent or logged with the submitted values.
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(fresh));
        Assert.Empty(await MessagesMentioningAsync(OutboxFiles().Except(outboxBefore), fresh));
        Assert.Empty(await service.Outbox.MessagesToAsync(email));
        Assert.DoesNotContain(service.Logs.GetSnapshot(), record => Render(record).Contains(fresh, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(requestRows, await PrivacyRequestRowsAsync());

        // Nobody's data changed.
        if (person is not null)
        {
            Assert.Equal(meBefore, await RawMeAsync(person));
            Assert.Equal(personMessages, (await service.Outbox.MessagesToAsync(person.Email)).Count);
        }

        if (request is { } pending)
        {
            Assert.Equal(requestBefore, await ReadAsync(pending.ReceiptUrl));
            Assert.Equal(parentMessages, (await service.Outbox.MessagesToAsync(pending.ParentEmail)).Count);
        }

        if (code is not null)
        {
            // The live code was neither used up nor burnt by the bad request: it still signs the person in.
            var (userId, _) = await Infrastructure.People.VerifyAsync(_http, person!.Email, code);
            Assert.Equal(person.UserId, userId);
        }
    }

    /// <summary>One person per service for the cases that need an account but no code of their own.</summary>
    private static readonly ConditionalWeakTable<SharedService, Task<Person>> s_people = [];

    /// <summary>
    /// One officer's gateway per service, started by the first decision test: a bad decision changes nothing of the
    /// officer or the gateway (each test checks its own fresh request is untouched), so the next test may use them too.
    /// </summary>
    private static readonly ConditionalWeakTable<SharedService, Task<(HttpClient Http, string Token)>> s_officerGateways = [];

    private static async Task<(HttpClient Http, string Token)> StartOfficerGatewayAsync(SharedService service)
    {
        var officer = await service.SignUpAsync();
        var http = await service.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Auth:Officers:0"] = officer.UserId,
        });

        // The officer really is one on this gateway, so a bad decision fails for its input alone.
        using var list = await http.SendAsync(officer.Request(HttpMethod.Get, "/v1/admin/child-removal-requests"));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        return (http, officer.Token);
    }

    private async Task<(string RequestId, string ReceiptUrl, string ParentEmail)> SubmitChildRemovalAsync()
    {
        var parentEmail = Infrastructure.People.NewEmail("parent");
        using var submit = await _http.PostAsync(ChildRemoval, Json.Body(new
        {
            childEmail = Infrastructure.People.NewEmail("child"),
            parentName = Infrastructure.People.NewName(),
            parentEmail,
            statement = "I am the parent of this child.",
        }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var accepted = await Json.ReadAsync(submit);
        await service.Outbox.NextMessageAsync(parentEmail, seen: 0);
        return ((string)accepted["requestId"]!, (string)accepted["receiptUrl"]!, parentEmail);
    }

    private async Task<string> RawMeAsync(Person person)
    {
        using var response = await _http.SendAsync(person.Request(HttpMethod.Get, Me));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> ReadAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Privacy requests stored anywhere (state <c>request</c>; the shared collection runs one test at a time).</summary>
    private async Task<long> PrivacyRequestRowsAsync() =>
        await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_type_string = 'request'");

    private string[] OutboxFiles() =>
        Directory.Exists(service.Outbox.Directory) ? Directory.GetFiles(service.Outbox.Directory, "*.eml") : [];

    /// <summary>The messages among <paramref name="files"/> whose recipients, subject or text mention <paramref name="needle"/>.</summary>
    private static async Task<List<MimeMessage>> MessagesMentioningAsync(IEnumerable<string> files, string needle)
    {
        var found = new List<MimeMessage>();
        foreach (var file in files)
        {
            var message = await MimeMessage.LoadAsync(file);
            var text = string.Join('\n', message.To.ToString(), message.Subject, message.TextBody, message.HtmlBody);
            if (text.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                found.Add(message);
            }
        }

        return found;
    }

    private static string Render(Microsoft.Extensions.Logging.Testing.FakeLogRecord record) =>
        string.Join(
            '\n',
            record.Message,
            record.Exception?.ToString(),
            record.StructuredState is null ? null : string.Join(';', record.StructuredState.Select(pair => $"{pair.Key}={pair.Value}")));

    /// <summary>A body of unknown length, so it is sent chunked and only the server's read limit can stop it.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
