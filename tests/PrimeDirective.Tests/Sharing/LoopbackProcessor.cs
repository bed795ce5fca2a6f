using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// A processor as a real HTTP server on loopback (Kestrel, port 0): serves its OpenDSR <c>discovery</c>, records every
/// other request, answers scripted statuses then 200; with an <see cref="Identity"/> it answers erasure requests as
/// OpenDSR §7.3 says, signed with its certificate's key (written from the specification, not from our code).
/// </summary>
public sealed class LoopbackProcessor : IAsyncDisposable
{
    private readonly ConcurrentQueue<int> _script = new();
    private WebApplication _app = null!;

    private LoopbackProcessor()
    {
    }

    /// <summary>A fresh secret for this processor (never one of another test's).</summary>
    public string Secret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public Uri Address { get; private set; } = null!;

    /// <summary>Its discovery document (OpenDSR §6): erasure, identities email and controller_customer_id raw unless changed.</summary>
    public string Discovery { get; set; } = """
        {"api_version":"2.0","supported_identities":[{"identity_type":"email","identity_format":"raw"},{"identity_type":"controller_customer_id","identity_format":"raw"}],
         "supported_subject_request_types":["erasure"],"processor_certificate":"https://processor.test/cert.pem"}
        """;

    /// <summary>The order numbers of discovery reads (shared with <see cref="Received.Order"/>).</summary>
    public ConcurrentQueue<long> Discoveries { get; } = new();

    /// <summary>Its OpenDSR domain and certificate's key; <c>null</c> for a processor that answers erasures with a bare status.</summary>
    public (string Domain, PrimeDirective.Grains.Tests.OpenDsr.OpenDsrAuthority.Issued Certificate)? Identity { get; set; }

    /// <summary>The <c>controller_id</c> it knows us by.</summary>
    public string ControllerId { get; } = $"controller-{Guid.NewGuid():N}";

    private long _order;

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<Received> Requests { get; } = new();

    public string PackageUrl => new Uri(Address, "/packages").ToString();

    public string ErasureUrl => new Uri(Address, "/erasure").ToString();

    /// <summary>The statuses to answer first, one per request; 200 once they are used up.</summary>
    public void AnswerFirst(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    public static async Task<LoopbackProcessor> StartAsync()
    {
        var processor = new LoopbackProcessor();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            var order = Interlocked.Increment(ref processor._order);
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/discovery")
            {
                processor.Discoveries.Enqueue(order);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(processor.Discovery);
                return;
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            processor.Requests.Enqueue(new Received(
                context.Request.Path, body.ToArray(),
                context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase), order));
            context.Response.StatusCode = processor._script.TryDequeue(out var status) ? status : StatusCodes.Status200OK;
            if (context.Response.StatusCode < 300 && context.Request.Path == "/erasure" && processor.Identity is var (domain, certificate))
            {
                await processor.AnswerSignedAsync(context, body.ToArray(), domain, certificate);
            }
        });
        await app.StartAsync();
        processor._app = app;
        processor.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return processor;
    }

    /// <summary>When this processor expects to complete an erasure: a week after it received it.</summary>
    public static readonly TimeSpan CompletionTime = TimeSpan.FromDays(7);

    // OpenDSR §7.3: 201 with controller_id, times, the request's own body encoded, and the signature of the response body.
    private async Task AnswerSignedAsync(HttpContext context, byte[] request, string domain, PrimeDirective.Grains.Tests.OpenDsr.OpenDsrAuthority.Issued certificate)
    {
        var now = DateTimeOffset.UtcNow;
        var subjectRequestId = System.Text.Json.Nodes.JsonNode.Parse(request)?["subject_request_id"]?.GetValue<string>();
        var answer = Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject
        {
            ["controller_id"] = ControllerId,
            ["expected_completion_time"] = (now + CompletionTime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["received_time"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["encoded_request"] = Convert.ToBase64String(request),
            ["subject_request_id"] = subjectRequestId,
        }.ToJsonString());
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-OpenDSR-Processor-Domain"] = domain;
        context.Response.Headers["X-OpenDSR-Signature"] = certificate.Sign(answer);
        await context.Response.Body.WriteAsync(answer);
    }

    /// <summary>Whether <paramref name="request"/> carries a valid HMAC-SHA256 of its body under <paramref name="secret"/> in <paramref name="header"/>.</summary>
    public static bool IsSignedWith(Received request, string header, string secret) =>
        request.Headers.TryGetValue(header, out var signature) &&
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), request.Body))),
            Encoding.ASCII.GetBytes(signature));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One request as the processor received it.</summary>
    public sealed record Received(string Path, byte[] Body, IReadOnlyDictionary<string, string> Headers, long Order = 0)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }
}
