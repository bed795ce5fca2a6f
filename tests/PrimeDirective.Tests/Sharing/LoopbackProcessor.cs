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

/// <summary>A processor as a real HTTP server on loopback (Kestrel, port 0): records every request, answers scripted statuses then 200.</summary>
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
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            processor.Requests.Enqueue(new Received(
                context.Request.Path, body.ToArray(),
                context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            context.Response.StatusCode = processor._script.TryDequeue(out var status) ? status : StatusCodes.Status200OK;
        });
        await app.StartAsync();
        processor._app = app;
        processor.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return processor;
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
    public sealed record Received(string Path, byte[] Body, IReadOnlyDictionary<string, string> Headers)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }
}
