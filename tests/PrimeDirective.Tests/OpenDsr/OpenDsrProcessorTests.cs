using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PrimeDirective.Grains.Tests.OpenDsr;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.OpenDsr;

/// <summary>
/// OpenDSR 2.0 with us as the processor, driven over real HTTP by <see cref="SpecController"/> (written from the
/// specification only) against real PostgreSQL: discovery, signed requests kept pending until the person confirms with an
/// emailed code, status, cancellation, signed callbacks retried until delivered, and every refusal changing nothing.
/// </summary>
[Collection(OpenDsrFixture.Name)]
public sealed partial class OpenDsrProcessorTests(OpenDsrService service)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("/opendsr/v2/discovery")]
    [InlineData("/discovery")]
    public async Task Discovery_is_signed_and_lists_what_we_serve(string path)
    {
        using var response = await service.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(SpecController.Verifies(await CertificateAsync(), body, Header(response, "X-OpenDSR-Signature")));
        Assert.Equal(OpenDsrService.Domain, Header(response, "X-OpenDSR-Processor-Domain"));
        Assert.Equal(OpenDsrService.Domain, Header(response, "X-OpenGDPR-Processor-Domain"));
        var discovery = JsonNode.Parse(body)!;
        Assert.Equal("2.0", (string?)discovery["api_version"]);
        Assert.Equal(["erasure", "access", "portability"], discovery["supported_subject_request_types"]!.AsArray().Select(type => (string)type!));
        Assert.Equal(
            [("email", "raw"), ("controller_customer_id", "raw")],
            discovery["supported_identities"]!.AsArray().Select(identity => ((string)identity!["identity_type"]!, (string)identity["identity_format"]!)));
        Assert.Equal($"{OpenDsrService.PublicBaseUrl}/opendsr/v2/certificate.pem", (string?)discovery["processor_certificate"]);
    }

    [Fact]
    public async Task A_request_stays_pending_and_erases_nobody_until_the_person_confirms_it_with_the_emailed_code_then_completes_with_signed_callbacks()
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        var sent = controller.RequestBody(id, person.Email.ToUpperInvariant());

        using var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", sent));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answerBytes = await created.Content.ReadAsByteArrayAsync();
        var certificate = await CertificateAsync();
        Assert.True(SpecController.Verifies(certificate, answerBytes, Header(created, "X-OpenDSR-Signature")));
        Assert.True(SpecController.ProcessorSignatureVerifies(certificate, answerBytes));
        var answer = JsonNode.Parse(answerBytes)!;
        Assert.Equal(controller.ControllerId, (string?)answer["controller_id"]);
        Assert.Equal(id, (string?)answer["subject_request_id"]);
        Assert.Equal(Convert.ToBase64String(sent), (string?)answer["encoded_request"]);
        Assert.True(DateTimeOffset.Parse((string)answer["expected_completion_time"]!, System.Globalization.CultureInfo.InvariantCulture) >
            DateTimeOffset.Parse((string)answer["received_time"]!, System.Globalization.CultureInfo.InvariantCulture));

        // Pending: the person is untouched, and only a code went to them; the late-request gauge's row waits for its expected completion.
        Assert.Equal("pending", await StatusAsync(controller, id));
        var expected = DateTimeOffset.Parse((string)answer["expected_completion_time"]!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        Assert.Equal(("pending", expected.AddTicks(-(expected.Ticks % 10))), await OpenWorkAsync(id)); // PostgreSQL keeps microseconds
        await service.Http.GetMeAsync(person);
        var message = await service.Outbox.NextMessageAsync(person.Email, 1);
        Assert.Contains($"/privacy/opendsr?controller={controller.ControllerId}&request={id}", message.TextBody, StringComparison.Ordinal);
        var code = TestOutbox.CodeIn(message);

        // A wrong code changes nothing.
        using (var wrong = await ConfirmAsync(controller, id, person.Email, code == "00000000" ? "11111111" : "00000000"))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        }

        Assert.Equal("pending", await StatusAsync(controller, id));
        Assert.Empty(controller.Callbacks);
        using (var me = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me")))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        // Burnt by the wrong guess? No: one wrong guess of several allowed. The right code confirms, and the erasure starts.
        using var confirmed = await ConfirmAsync(controller, id, person.Email, code);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var receipt = ReceiptLink().Match(await confirmed.Content.ReadAsStringAsync());
        Assert.True(receipt.Success, "the page links the erasure's receipt");

        await Eventually.ReturnsAsync(() => StatusAsync(controller, id), status => status == "completed", Deadline, "the request completes");
        Assert.Null(await OpenWorkAsync(id));
        var callbacks = await Eventually.ReturnsAsync(
            () => Task.FromResult(controller.Callbacks.ToList()), all => all.Count(callback => !callback.Refused) >= 2, Deadline, "both callbacks arrive");
        Assert.Equal(["in_progress", "completed"], callbacks.Select(callback => (string)callback.Json["request_status"]!));
        foreach (var callback in callbacks)
        {
            Assert.True(SpecController.Verifies(certificate, callback.Body, callback.Headers["X-OpenDSR-Signature"]));
            Assert.Equal(OpenDsrService.Domain, callback.Headers["X-OpenDSR-Processor-Domain"]);
            Assert.Equal(controller.CallbackUrl, (string?)callback.Json["status_callback_url"]);
            Assert.Equal(id, (string?)callback.Json["subject_request_id"]);
            Assert.Equal(controller.ControllerId, (string?)callback.Json["controller_id"]);
        }

        // Erased: the account is gone, and the request's identities were never stored anywhere.
        using (var gone = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me")))
        {
            Assert.NotEqual(HttpStatusCode.OK, gone.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(Convert.ToBase64String(sent)[..40]));

        // Completed: it can no longer be cancelled.
        using var late = await service.Http.SendAsync(controller.Request(HttpMethod.Delete, $"/opendsr/v2/requests/{id}", null));
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Equal("completed", await StatusAsync(controller, id));
    }

    /// <summary>The request's row in the open-work mirror the late-request gauge counts (state and expected completion), or <c>null</c>.</summary>
    private async Task<(string State, DateTime DueAt)?> OpenWorkAsync(string subjectRequestId)
    {
        await using var source = service.Database.OpenDataSource();
        await using var command = source.CreateCommand("select state, due_at from open_work where kind = 'opendsr' and owner like '%-' || @id");
        command.Parameters.AddWithValue("id", subjectRequestId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        var row = (reader.GetString(0), reader.GetDateTime(1));
        Assert.False(await reader.ReadAsync());
        return row;
    }

    [Theory]
    [InlineData("erasure")]
    [InlineData("access")]
    public async Task An_unconfirmed_request_changes_and_releases_nothing(string type)
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var before = (await service.Http.GetMeAsync(person)).ToJsonString();
        var stranger = Infrastructure.People.NewEmail("stranger");
        var id = SpecController.NewRequestId();

        using var response = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", controller.RequestBody(id, person.Email, type, body =>
            body["subject_identities"]!.AsArray().Add(new JsonObject { ["identity_type"] = "email", ["identity_value"] = stranger, ["identity_format"] = "raw" }))));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("pending", await StatusAsync(controller, id));
        var message = await service.Outbox.NextMessageAsync(person.Email, 1);
        Assert.Contains(type == "access" ? "copy" : "erase", message.Subject, StringComparison.Ordinal);
        if (type == "access")
        {
            // We release nobody's data on a controller's word: no results_url, a guessed one opens nothing, no ledger entry.
            using var status = await service.Http.SendAsync(controller.Request(HttpMethod.Get, $"/opendsr/v2/requests/{id}", null));
            Assert.Null((await Json.ReadAsync(status))["results_url"]);
            using var guess = await service.Http.GetAsync($"/opendsr/v2/results/{controller.ControllerId}/{id}/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}");
            Assert.Equal(HttpStatusCode.NotFound, guess.StatusCode);
            Assert.Empty(await DisclosuresAsync(person));
        }

        // The person's data is as it was; nothing was released to the controller; an address nobody claims got nothing.
        Assert.Equal(before, (await service.Http.GetMeAsync(person)).ToJsonString());
        Assert.DoesNotContain(person.Email, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(controller.Callbacks);
        Assert.Empty(await service.Outbox.MessagesToAsync(stranger));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(stranger));
        Assert.Equal(2, (await service.Outbox.MessagesToAsync(person.Email)).Count);
    }

    [Fact]
    public async Task Bad_signatures_and_unknown_or_invalid_certificates_are_refused_and_record_nothing()
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        var body = controller.RequestBody(id, person.Email);
        var certificate = await CertificateAsync();

        // One bit flipped in the signature.
        var signature = Convert.FromBase64String(controller.Sign(body));
        signature[^1] ^= 0x01;
        await RefusedAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", body, Convert.ToBase64String(signature)), HttpStatusCode.BadRequest);

        // One bit flipped in the body it signed.
        var altered = (byte[])body.Clone();
        altered[^3] ^= 0x01;
        await RefusedAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", altered, controller.Sign(body)), HttpStatusCode.BadRequest);

        // Signed with another key (a valid certificate of another domain).
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var foreign = Convert.ToBase64String(other.SignData(body, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence));
        await RefusedAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", body, foreign), HttpStatusCode.BadRequest);

        // A domain no officer registered.
        await using var unknown = await SpecController.StartAsync(service.Authority);
        await RefusedAsync(unknown.Request(HttpMethod.Post, "/opendsr/v2/requests", unknown.RequestBody(id, person.Email)), HttpStatusCode.Unauthorized);

        // Nothing was recorded, and the person was sent nothing beyond their sign-up code.
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.SendAsync(controller.Request(HttpMethod.Get, $"/opendsr/v2/requests/{id}", null))).StatusCode);
        Assert.Single(await service.Outbox.MessagesToAsync(person.Email));

        // Self-signed, expired and wrong-domain certificates are refused at registration.
        var selfSigned = OpenDsrAuthority.SelfSigned(controller.Domain);
        var expired = service.Authority.Issue(controller.Domain, DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(-1));
        var elsewhere = service.Authority.Issue("opendsr.elsewhere.test");
        foreach (var (pem, why) in new[] { (selfSigned.CertificatePem, "self-signed"), (expired.CertificatePem, "expired"), (elsewhere.CertificatePem, "wrong-domain") })
        {
            var controllerId = $"bad-{Guid.NewGuid():N}"[..20];
            using var put = await PutControllerAsync(controllerId, controller.Domain.Replace("opendsr.", "other.", StringComparison.Ordinal), pem);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, put.StatusCode);
            Assert.Contains(why, await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var absent = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/opendsr-controllers/{controllerId}"));
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        }

        // Errors are the spec's shape, signed like every answer.
        using var malformed = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", controller.RequestBody(SpecController.NewRequestId(), person.Email, change: json => json.Remove("regulation"))));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var error = await malformed.Content.ReadAsByteArrayAsync();
        Assert.True(SpecController.Verifies(certificate, error, Header(malformed, "X-OpenDSR-Signature")));
        Assert.Equal(400, (int?)JsonNode.Parse(error)!["error"]!["code"]);
        Assert.Contains("regulation", (string?)JsonNode.Parse(error)!["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_answers_the_same_and_sends_nothing_new_and_another_body_under_the_same_id_is_refused()
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        var body = controller.RequestBody(id, person.Email);
        using var first = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", body));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await service.Outbox.NextMessageAsync(person.Email, 1);

        using var replay = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", body));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal((string?)(await Json.ReadAsync(first))["received_time"], (string?)(await Json.ReadAsync(replay))["received_time"]);

        var other = controller.RequestBody(id, Infrastructure.People.NewEmail());
        using var refused = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", other));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        // One code only: the replay sent the person nothing more.
        Assert.Equal(2, (await service.Outbox.MessagesToAsync(person.Email)).Count);
        Assert.Equal("pending", await StatusAsync(controller, id));
    }

    [Fact]
    public async Task A_cancelled_request_is_signed_202_called_back_after_three_refused_callbacks_and_the_persons_code_then_changes_nothing()
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        using (var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opengdpr_requests", controller.RequestBody(id, person.Email), prefix: "X-OpenGDPR")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var code = await service.Outbox.NextCodeAsync(person.Email, 1);

        // Unsigned, or by another controller: refused, still pending.
        using (var unsigned = new HttpRequestMessage(HttpMethod.Delete, $"/opendsr/v2/requests/{id}"))
        {
            unsigned.Headers.Add("X-OpenDSR-Processor-Domain", controller.Domain);
            Assert.Equal(HttpStatusCode.BadRequest, (await service.Http.SendAsync(unsigned)).StatusCode);
        }

        await using var someoneElse = await RegisteredControllerAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.SendAsync(someoneElse.Request(HttpMethod.Delete, $"/opendsr/v2/requests/{id}", null))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.SendAsync(someoneElse.Request(HttpMethod.Get, $"/opendsr/v2/requests/{id}", null))).StatusCode);
        Assert.Equal("pending", await StatusAsync(controller, id));
        Assert.Equal("pending", (await OpenWorkAsync(id))?.State);

        controller.RefuseFirst(3);
        using var cancelled = await service.Http.SendAsync(controller.Request(HttpMethod.Delete, $"/opengdpr_requests/{id}", null, prefix: "X-OpenGDPR"));
        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        var bytes = await cancelled.Content.ReadAsByteArrayAsync();
        var certificate = await CertificateAsync();
        Assert.True(SpecController.Verifies(certificate, bytes, Header(cancelled, "X-OpenGDPR-Signature")));
        Assert.True(SpecController.ProcessorSignatureVerifies(certificate, bytes));
        Assert.Equal(id, (string?)JsonNode.Parse(bytes)!["subject_request_id"]);
        Assert.Equal("cancelled", await StatusAsync(controller, id));
        Assert.Null(await OpenWorkAsync(id));

        // Refused three times, retried with backoff, delivered the fourth time: at least once.
        var callbacks = await Eventually.ReturnsAsync(
            () => Task.FromResult(controller.Callbacks.ToList()), all => all.Any(callback => !callback.Refused), Deadline, "the callback is delivered");
        Assert.Equal([true, true, true, false], callbacks.Select(callback => callback.Refused));
        Assert.All(callbacks, callback => Assert.Equal("cancelled", (string?)callback.Json["request_status"]));
        Assert.All(callbacks, callback => Assert.True(SpecController.Verifies(certificate, callback.Body, callback.Headers["X-OpenDSR-Signature"])));
        Assert.Single(callbacks.Select(callback => Convert.ToBase64String(callback.Body)).Distinct());

        // The person's code now confirms nothing: the account stays.
        using var late = await ConfirmAsync(controller, id, person.Email, code);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("cancelled", await StatusAsync(controller, id));
        using var me = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task A_person_who_missed_the_code_asks_for_a_new_one_and_only_the_newest_confirms()
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        using (var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", controller.RequestBody(id, person.Email))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var first = await service.Outbox.NextCodeAsync(person.Email, 1);
        using (var resent = await ConfirmAsync(controller, id, person.Email, string.Empty, handler: "Resend"))
        {
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        }

        var second = await service.Outbox.NextCodeAsync(person.Email, 2);

        // Asking for a stranger's address answers alike and sends nothing.
        var stranger = Infrastructure.People.NewEmail("stranger");
        using (var strangers = await ConfirmAsync(controller, id, stranger, string.Empty, handler: "Resend"))
        {
            Assert.Equal(HttpStatusCode.OK, strangers.StatusCode);
        }

        Assert.Empty(await service.Outbox.MessagesToAsync(stranger));
        if (first != second)
        {
            using var stale = await ConfirmAsync(controller, id, person.Email, first);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.StatusCode);
            Assert.Equal("pending", await StatusAsync(controller, id));
        }

        using var confirmed = await ConfirmAsync(controller, id, person.Email, second);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        await Eventually.ReturnsAsync(() => StatusAsync(controller, id), status => status is "in_progress" or "completed", Deadline, "the request is confirmed");
    }

    [Fact]
    public async Task Only_officers_register_controllers()
    {
        await using var controller = await SpecController.StartAsync(service.Authority);
        var person = await service.SignUpAsync();
        using var put = await service.Admin.SendAsync(person.Request(HttpMethod.Put, $"/v1/admin/opendsr-controllers/{controller.ControllerId}",
            new { name = "Not an officer", domain = controller.Domain, certificate = controller.Certificate.CertificatePem }));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        using var absent = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/opendsr-controllers/{controller.ControllerId}"));
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    private async Task<SpecController> RegisteredControllerAsync()
    {
        var controller = await SpecController.StartAsync(service.Authority);
        using var put = await PutControllerAsync(controller.ControllerId, controller.Domain, controller.Certificate.CertificatePem);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return controller;
    }

    private Task<HttpResponseMessage> PutControllerAsync(string controllerId, string domain, string certificatePem) =>
        service.Admin.SendAsync(service.Officer.Request(HttpMethod.Put, $"/v1/admin/opendsr-controllers/{controllerId}",
            new { name = "Example Controller Ltd", domain, certificate = certificatePem }));

    private async Task<string?> StatusAsync(SpecController controller, string id)
    {
        using var response = await service.Http.SendAsync(controller.Request(HttpMethod.Get, $"/opendsr/v2/requests/{id}", null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(SpecController.Verifies(await CertificateAsync(), body, Header(response, "X-OpenDSR-Signature")));
        var status = JsonNode.Parse(body)!;
        Assert.Equal(controller.ControllerId, (string?)status["controller_id"]);
        Assert.Equal(id, (string?)status["subject_request_id"]);
        return (string?)status["request_status"];
    }

    /// <summary>The person's confirmation on the Privacy Center page, as a browser posts it (antiforgery cookie and token).</summary>
    private async Task<HttpResponseMessage> ConfirmAsync(
        SpecController controller, string id, string email, string code, string? handler = null, IReadOnlyDictionary<string, string>? fields = null)
    {
        var path = $"/privacy/opendsr?controller={controller.ControllerId}&request={id}";
        using var page = await service.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var cookie = Assert.Single(page.Headers.GetValues("Set-Cookie"), header => header.StartsWith("pd_antiforgery=", StringComparison.Ordinal)).Split(';')[0];
        var token = TokenInput().Match(await page.Content.ReadAsStringAsync()).Groups["token"].Value;
        var form = new Dictionary<string, string>
        {
            ["controller"] = controller.ControllerId,
            ["request"] = id,
            ["email"] = email,
            ["code"] = code,
            ["__pd_antiforgery"] = token,
        };
        foreach (var (name, value) in fields ?? new Dictionary<string, string>())
        {
            form[name] = value;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, handler is null ? path : $"{path}&handler={handler}") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("Cookie", cookie);
        return await service.Http.SendAsync(request);
    }

    private async Task<string> CertificateAsync()
    {
        using var response = await service.Http.GetAsync("/opendsr/v2/certificate.pem");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task RefusedAsync(HttpRequestMessage request, HttpStatusCode status)
    {
        using (request)
        using (var response = await service.Http.SendAsync(request))
        {
            Assert.Equal(status, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal((int)status, (int?)JsonNode.Parse(body)!["error"]!["code"]);
            Assert.True(SpecController.Verifies(await CertificateAsync(), body, Header(response, "X-OpenDSR-Signature")));
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [GeneratedRegex("name=\"__pd_antiforgery\" type=\"hidden\" value=\"(?<token>[^\"]+)\"|type=\"hidden\" name=\"__pd_antiforgery\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex TokenInput();

    [GeneratedRegex("href=\"(/privacy/requests/[^\"]+)\"")]
    private static partial Regex ReceiptLink();
}
