using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Tests.OpenDsr;

namespace PrimeDirective.Tests.OpenDsr;

/// <summary>
/// An OpenDSR 2.0 controller written from the specification only (nothing from <c>src/</c>): its own CA-issued P-256
/// certificate, its own signing (base64 of the DER ECDSA signature over the SHA-256 of the raw body, §4.2), its own JSON,
/// and a callback endpoint on loopback Kestrel (§8.5) that can refuse the first callbacks it gets.
/// </summary>
public sealed class SpecController : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _refuseFirst;

    private SpecController(string domain, OpenDsrAuthority.Issued certificate)
    {
        Domain = domain;
        Certificate = certificate;
    }

    /// <summary>Its OpenDSR domain (its certificate's SAN).</summary>
    public string Domain { get; }

    /// <summary>Its certificate and key.</summary>
    public OpenDsrAuthority.Issued Certificate { get; }

    /// <summary>Our id for it, as registered.</summary>
    public string ControllerId { get; } = $"ctl-{Guid.NewGuid():N}"[..20];

    public Uri Address { get; private set; } = null!;

    public string CallbackUrl => new Uri(Address, "/opendsr/callbacks").ToString();

    /// <summary>Every callback that reached it (refused ones too), in order.</summary>
    public ConcurrentQueue<Callback> Callbacks { get; } = new();

    /// <summary>Answers the next <paramref name="count"/> callbacks 500.</summary>
    public void RefuseFirst(int count) => Interlocked.Exchange(ref _refuseFirst, count);

    public static async Task<SpecController> StartAsync(OpenDsrAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var domain = $"opendsr.{Guid.NewGuid():N}.controller.test";
        var controller = new SpecController(domain, authority.Issue(domain));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var refused = Interlocked.Decrement(ref controller._refuseFirst) >= 0;
            controller.Callbacks.Enqueue(new Callback(
                body.ToArray(), context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase), refused));
            context.Response.StatusCode = refused ? StatusCodes.Status500InternalServerError : StatusCodes.Status202Accepted;
        });
        await app.StartAsync();
        controller._app = app;
        controller.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return controller;
    }

    /// <summary>A §7.2 request body: one raw email identity, our callback URL.</summary>
    public byte[] RequestBody(string subjectRequestId, string email, string type = "erasure", Action<JsonObject>? change = null)
    {
        var body = new JsonObject
        {
            ["regulation"] = "gdpr",
            ["subject_request_id"] = subjectRequestId,
            ["subject_request_type"] = type,
            ["submitted_time"] = "2026-12-01T10:00:00Z",
            ["subject_identities"] = new JsonArray(new JsonObject { ["identity_type"] = "email", ["identity_value"] = email, ["identity_format"] = "raw" }),
            ["api_version"] = "2.0",
            ["status_callback_urls"] = new JsonArray(CallbackUrl),
        };
        change?.Invoke(body);
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>A new subject_request_id (§1.1: lower-case UUID v4).</summary>
    public static string NewRequestId() => Guid.NewGuid().ToString("D");

    /// <summary>A request signed by this controller (or with <paramref name="signature"/> as given), the §8.6 headers named <paramref name="prefix"/>.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, byte[]? body, string? signature = null, string prefix = "X-OpenDSR")
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        request.Headers.Add($"{prefix}-Processor-Domain", Domain);
        request.Headers.Add($"{prefix}-Signature", signature ?? Sign(body ?? []));
        return request;
    }

    public string Sign(byte[] body) => Convert.ToBase64String(((ECDsa)Certificate.Key).SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>
    /// Whether <paramref name="body"/> is signed in <paramref name="signature"/> by the certificate <paramref name="certificatePem"/>
    /// (the processor's, from its discovery's <c>processor_certificate</c>), over the SHA-256 of those exact bytes.
    /// </summary>
    public static bool Verifies(string certificatePem, byte[] body, string? signature)
    {
        if (signature is null)
        {
            return false;
        }

        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        using var key = certificate.GetECDsaPublicKey()!;
        try
        {
            return key.VerifyData(body, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the body's <c>processor_signature</c> signs the body as it was before that member was appended (the processor
    /// documents it goes last): the bytes with <c>,"processor_signature":"…"</c> cut out.
    /// </summary>
    public static bool ProcessorSignatureVerifies(string certificatePem, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var start = text.LastIndexOf(",\"processor_signature\":\"", StringComparison.Ordinal);
        if (start < 0 || !text.EndsWith("\"}", StringComparison.Ordinal))
        {
            return false;
        }

        var signature = text[(start + ",\"processor_signature\":\"".Length)..^2];
        return Verifies(certificatePem, Encoding.UTF8.GetBytes(text[..start] + "}"), signature);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Key.Dispose();
    }

    /// <summary>One callback as it arrived.</summary>
    public sealed record Callback(byte[] Body, IReadOnlyDictionary<string, string> Headers, bool Refused)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;
    }
}
