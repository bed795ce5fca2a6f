using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Tests.OpenDsr;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.OpenDsr;

/// <summary>
/// OpenDSR 2.0 with us as the controller, over real HTTP: our keys published, our erasure requests spec-complete, signed
/// and fitted to each processor's discovery, its signed answer kept as evidence, and its callbacks verified before they count.
/// </summary>
[Collection(OpenDsrFixture.Name)]
public sealed class OpenDsrControllerTests(OpenDsrService service)
{
    [Fact]
    public async Task The_key_set_publishes_every_key_version_by_kid_and_the_certificate_route_serves_the_active_one()
    {
        using var response = await service.Http.GetAsync("/.well-known/prime-directive/keys.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The OpenDSR (P-256) keys; the receipts' Ed25519 keys sit beside them (SignedReceiptTests).
        var keys = (await Json.ReadAsync(response))["keys"]!.AsArray().Where(key => (string?)key!["kty"] == "EC").ToList();
        Assert.Equal(["2026-01", "2026-02"], keys.Select(key => (string)key!["kid"]!));
        foreach (var (key, issued) in keys.Zip([service.Previous, service.Active]))
        {
            Assert.Equal("EC", (string?)key!["kty"]);
            Assert.Equal("P-256", (string?)key["crv"]);
            Assert.Equal("ES256", (string?)key["alg"]);
            using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
            using var published = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url((string)key["x"]!), Y = Base64Url((string)key["y"]!) },
            });
            Assert.Equal(certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), published.ExportSubjectPublicKeyInfo());
            Assert.Equal(Convert.ToBase64String(certificate.RawData), (string?)key["x5c"]![0]);

            // Public keys only: no private parameter is ever published.
            Assert.Null(key["d"]);
        }

        using var pem = await service.Http.GetAsync("/opendsr/v2/certificate.pem");
        Assert.Equal(HttpStatusCode.OK, pem.StatusCode);
        var text = await pem.Content.ReadAsStringAsync();
        using var served = X509Certificate2.CreateFromPem(text);
        using var active = X509Certificate2.CreateFromPem(service.Active.CertificatePem);
        Assert.Equal(active.Thumbprint, served.Thumbprint);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erasure_reaches_an_OpenDSR_processor_spec_complete_signed_fitted_to_its_discovery_and_its_signed_answer_is_kept_without_the_encoded_request()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var domain = $"opendsr.{Guid.NewGuid():N}.test";
        processor.Identity = (domain, service.Authority.Issue(domain));
        // This processor takes emails only hashed: the raw address must never reach it.
        processor.Discovery = """
            {"api_version":"2.0","supported_identities":[{"identity_type":"email","identity_format":"sha256"}],
             "supported_subject_request_types":["erasure"],"processor_certificate":"https://processor.test/cert.pem"}
            """;
        var processorId = await RegisterAsync(processor, domain, processor.Identity.Value.Certificate.CertificatePem);
        var person = await service.SignUpAsync();
        await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "processor", processorId, ["account"]));

        var receiptUrl = await service.EraseAsync(person);
        var requestId = RequestId(receiptUrl);
        var receipt = await Eventually.ReturnsAsync(
            () => service.ReceiptAsync(receiptUrl), json => (string?)json["propagated"] == "acknowledged", TimeSpan.FromSeconds(60), "the processor acknowledges");

        var notice = Assert.Single(processor.Requests, request => request.Path == "/erasure");
        Assert.True(processor.Discoveries.Min() < notice.Order, "discovery is read before the first request");
        var body = JsonNode.Parse(notice.Text)!.AsObject();
        Assert.Equal("gdpr", (string?)body["regulation"]);
        Assert.Equal("erasure", (string?)body["subject_request_type"]);
        Assert.Equal("2.0", (string?)body["api_version"]);
        var subjectRequestId = (string)body["subject_request_id"]!;
        Assert.True(Guid.TryParseExact(subjectRequestId, "D", out var parsed) && parsed.Version == 4 && !subjectRequestId.Any(char.IsAsciiLetterUpper));
        Assert.True(DateTimeOffset.TryParse((string)body["submitted_time"]!, out _));
        Assert.Equal([$"{OpenDsrService.PublicBaseUrl}/opendsr/v2/callbacks/{requestId}"], body["status_callback_urls"]!.AsArray().Select(url => (string)url!));
        Assert.Null(body["controller_request_id"]);
        var identity = Assert.Single(body["subject_identities"]!.AsArray())!;
        Assert.Equal(("email", "sha256"), ((string)identity["identity_type"]!, (string)identity["identity_format"]!));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(person.Email))), (string?)identity["identity_value"]);
        Assert.DoesNotContain(person.Email, notice.Text, StringComparison.Ordinal);

        // Signed with our active certificate's key over the SHA-256 of the exact body; no HMAC header without a secret.
        Assert.Equal(OpenDsrService.Domain, notice.Headers["X-OpenDSR-Processor-Domain"]);
        using (var active = X509Certificate2.CreateFromPem(service.Active.CertificatePem))
        using (var key = active.GetECDsaPublicKey()!)
        {
            Assert.True(key.VerifyData(notice.Body, Convert.FromBase64String(notice.Headers["X-OpenDSR-Signature"]), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }

        Assert.False(notice.Headers.ContainsKey("X-PrimeDirective-Signature"));

        // The processor's signed answer is the receipt's evidence.
        var outcome = Assert.Single(receipt["processors"]!.AsArray())!;
        var evidence = outcome["evidence"]!;
        Assert.Equal(subjectRequestId, (string?)evidence["subjectRequestId"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(notice.Body)), (string?)evidence["requestSha256"]);
        Assert.Equal(domain, (string?)evidence["processorDomain"]);
        Assert.True((bool)evidence["signatureVerified"]!);
        Assert.Equal(processor.ControllerId, (string?)evidence["controllerId"]);
        Assert.NotNull(evidence["receivedTime"]);
        Assert.NotNull(evidence["expectedCompletionTime"]);
        Assert.False((bool)outcome["overdue"]!);

        // §7.3: encoded_request is never stored (it is the body we sent, hashed identities and all), nor is the address.
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(Convert.ToBase64String(notice.Body)[..40]));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync((string)identity["identity_value"]!));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));
    }

    [Fact]
    public async Task An_answer_not_signed_by_the_registered_certificate_is_no_acknowledgement()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var domain = $"opendsr.{Guid.NewGuid():N}.test";
        // It signs with a key of another certificate than the one registered for its domain.
        processor.Identity = (domain, service.Authority.Issue(domain));
        var processorId = await RegisterAsync(processor, domain, service.Authority.Issue(domain).CertificatePem);
        var person = await service.SignUpAsync();
        await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "processor", processorId, ["account"]));

        var receiptUrl = await service.EraseAsync(person);
        var receipt = await Eventually.ReturnsAsync(
            () => service.ReceiptAsync(receiptUrl), json => json["processors"]?[0]?["attempts"] is { } attempts && (int)attempts >= 2, TimeSpan.FromSeconds(60), "two attempts");
        var outcome = receipt["processors"]![0]!;
        Assert.Equal("pending", (string?)outcome["status"]);
        Assert.Equal("pending", (string?)receipt["propagated"]);
        Assert.False((bool)outcome["evidence"]!["signatureVerified"]!);
    }

    [Fact]
    public async Task Callbacks_count_only_from_a_registered_domain_with_a_valid_certificate_a_valid_signature_and_our_own_url()
    {
        var (processor, certificate, domain, requestId, receiptUrl, subjectRequestId) = await ErasedThroughOpenDsrAsync();
        await using var _ = processor;
        var callbackUrl = $"{OpenDsrService.PublicBaseUrl}/opendsr/v2/callbacks/{requestId}";
        byte[] Callback(string status, string? url = null, string? id = null, DateTimeOffset? expected = null) => Encoding.UTF8.GetBytes(new JsonObject
        {
            ["controller_id"] = processor.ControllerId,
            ["expected_completion_time"] = (expected ?? DateTimeOffset.UtcNow.AddDays(7)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["status_callback_url"] = url ?? callbackUrl,
            ["subject_request_id"] = id ?? subjectRequestId,
            ["request_status"] = status,
        }.ToJsonString());

        var inProgress = Callback("in_progress");
        var flipped = (byte[])inProgress.Clone();
        flipped[^3] ^= 0x01;
        var stranger = $"opendsr.{Guid.NewGuid():N}.test";
        var cases = new (string Name, byte[] Body, string Domain, string? Signature, HttpStatusCode Expected)[]
        {
            ("unregistered domain", inProgress, stranger, service.Authority.Issue(stranger).Sign(inProgress), HttpStatusCode.Unauthorized),
            ("no domain header", inProgress, string.Empty, certificate.Sign(inProgress), HttpStatusCode.Unauthorized),
            ("one bit flipped", flipped, domain, certificate.Sign(inProgress), HttpStatusCode.BadRequest),
            ("wrong key", inProgress, domain, service.Authority.Issue(domain).Sign(inProgress), HttpStatusCode.BadRequest),
            ("no signature", inProgress, domain, null, HttpStatusCode.BadRequest),
            ("not JSON", Encoding.UTF8.GetBytes("{not json"), domain, certificate.Sign(Encoding.UTF8.GetBytes("{not json")), HttpStatusCode.BadRequest),
            ("another URL", Callback("in_progress", "https://attacker.test/cb"), domain, certificate.Sign(Callback("in_progress", "https://attacker.test/cb")), HttpStatusCode.BadRequest),
            ("unknown status", Callback("done"), domain, certificate.Sign(Callback("done")), HttpStatusCode.BadRequest),
            ("another request's id", Callback("in_progress", id: Guid.NewGuid().ToString("D")), domain, certificate.Sign(Callback("in_progress", id: Guid.NewGuid().ToString("D"))), HttpStatusCode.BadRequest),
        };
        foreach (var (name, body, from, signature, expected) in cases)
        {
            using var refused = await SendCallbackAsync(requestId, body, from, signature);
            Assert.True(expected == refused.StatusCode, $"{name}: {refused.StatusCode}");
            var problem = await Json.ReadAsync(refused);
            Assert.Equal((int)expected, (int)problem["error"]!["code"]!);
        }

        // Nothing refused changed the receipt.
        Assert.Null((await service.ReceiptAsync(receiptUrl))["processors"]![0]!["reportedStatus"]);

        using (var accepted = await SendCallbackAsync(requestId, inProgress, domain, certificate.Sign(inProgress)))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Equal("in_progress", (string?)(await service.ReceiptAsync(receiptUrl))["processors"]![0]!["reportedStatus"]);

        // A replay, or a late "pending", never moves the status back; "completed" ends it; nothing follows an end.
        foreach (var body in new[] { inProgress, Callback("pending"), Callback("completed"), Callback("in_progress") })
        {
            using var answered = await SendCallbackAsync(requestId, body, domain, certificate.Sign(body));
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        }

        var outcome = (await service.ReceiptAsync(receiptUrl))["processors"]![0]!;
        Assert.Equal("completed", (string?)outcome["reportedStatus"]);
        Assert.False((bool)outcome["overdue"]!);

        // The OpenGDPR v1 header names are honoured too (§10.1).
        using var legacy = new HttpRequestMessage(HttpMethod.Post, $"/opendsr/v2/callbacks/{requestId}") { Content = new ByteArrayContent(inProgress) };
        legacy.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        legacy.Headers.Add("X-OpenGDPR-Processor-Domain", domain);
        legacy.Headers.Add("X-OpenGDPR-Signature", certificate.Sign(inProgress));
        using var legacyAnswer = await service.Http.SendAsync(legacy);
        Assert.Equal(HttpStatusCode.Accepted, legacyAnswer.StatusCode);
    }

    [Fact]
    public async Task A_processor_past_its_expected_completion_time_is_flagged_on_the_receipt()
    {
        var (processor, certificate, domain, requestId, receiptUrl, subjectRequestId) = await ErasedThroughOpenDsrAsync();
        await using var _ = processor;
        var late = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["controller_id"] = processor.ControllerId,
            ["expected_completion_time"] = service.Clock.GetUtcNow().AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["status_callback_url"] = $"{OpenDsrService.PublicBaseUrl}/opendsr/v2/callbacks/{requestId}",
            ["subject_request_id"] = subjectRequestId,
            ["request_status"] = "in_progress",
        }.ToJsonString());
        Assert.False((bool)(await service.ReceiptAsync(receiptUrl))["processors"]![0]!["overdue"]!);
        using var answered = await SendCallbackAsync(requestId, late, domain, certificate.Sign(late));
        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        var outcome = (await service.ReceiptAsync(receiptUrl))["processors"]![0]!;
        Assert.True((bool)outcome["overdue"]!);
        Assert.Equal("in_progress", (string?)outcome["reportedStatus"]);
    }

    [Fact]
    public async Task Registering_a_processor_refuses_self_signed_expired_wrong_domain_revoked_and_foreign_certificates()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var domain = $"opendsr.{Guid.NewGuid():N}.test";
        using var foreign = new OpenDsrAuthority("foreign");
        var now = DateTimeOffset.UtcNow;
        var cases = new (string Name, string Domain, string Pem, string Reason)[]
        {
            ("self-signed", domain, OpenDsrAuthority.SelfSigned(domain).CertificatePem, "self-signed"),
            ("expired", domain, service.Authority.Issue(domain, now.AddDays(-30), now.AddDays(-1)).CertificatePem, "expired"),
            ("wrong SAN", domain, service.Authority.Issue("opendsr.elsewhere.test").CertificatePem, "wrong-domain"),
            ("revoked", "opendsr.revoked.test", service.Revoked.CertificatePem, "revoked"),
            ("foreign authority", domain, foreign.Issue(domain).CertificatePem, "untrusted"),
        };
        foreach (var (name, forDomain, pem, reason) in cases)
        {
            var id = Sharing.Sharing.NewProcessorId();
            using var refused = await service.PutProcessorAsync(id, Body(processor, forDomain, pem));
            Assert.True(refused.StatusCode == HttpStatusCode.UnprocessableEntity, $"{name}: {refused.StatusCode}");
            Assert.Contains(reason, (string)(await Json.ReadAsync(refused))["errors"]!["certificate"]![0]!, StringComparison.Ordinal);
            using var absent = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/processors/{id}"));
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        }
    }

    private async Task<(LoopbackProcessor Processor, OpenDsrAuthority.Issued Certificate, string Domain, string RequestId, string ReceiptUrl, string SubjectRequestId)> ErasedThroughOpenDsrAsync()
    {
        var processor = await LoopbackProcessor.StartAsync();
        var domain = $"opendsr.{Guid.NewGuid():N}.test";
        var certificate = service.Authority.Issue(domain);
        processor.Identity = (domain, certificate);
        var processorId = await RegisterAsync(processor, domain, certificate.CertificatePem);
        var person = await service.SignUpAsync();
        await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "processor", processorId, ["account"]));
        var receiptUrl = await service.EraseAsync(person);
        await Eventually.ReturnsAsync(
            () => service.ReceiptAsync(receiptUrl), json => (string?)json["propagated"] == "acknowledged", TimeSpan.FromSeconds(60), "the processor acknowledges");
        var notice = Assert.Single(processor.Requests, request => request.Path == "/erasure");
        return (processor, certificate, domain, RequestId(receiptUrl), receiptUrl, (string)JsonNode.Parse(notice.Text)!["subject_request_id"]!);
    }

    private async Task<HttpResponseMessage> SendCallbackAsync(string requestId, byte[] body, string domain, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/opendsr/v2/callbacks/{requestId}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (domain.Length > 0)
        {
            request.Headers.Add("X-OpenDSR-Processor-Domain", domain);
        }

        if (signature is not null)
        {
            request.Headers.Add("X-OpenDSR-Signature", signature);
        }

        return await service.Http.SendAsync(request);
    }

    private async Task<string> RegisterAsync(LoopbackProcessor processor, string domain, string certificatePem)
    {
        var id = Sharing.Sharing.NewProcessorId();
        using var put = await service.PutProcessorAsync(id, Body(processor, domain, certificatePem));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return id;
    }

    private Dictionary<string, object?> Body(LoopbackProcessor processor, string domain, string certificatePem)
    {
        var body = Sharing.Sharing.ProcessorBody(processor, service.Clock.GetUtcNow());
        body.Remove("secret");
        body["openDsrDomain"] = domain;
        body["certificate"] = certificatePem;
        return body;
    }

    private static string RequestId(string receiptUrl) => receiptUrl.Split('/')[3].Split('?')[0];

    private static byte[] Base64Url(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));
}
