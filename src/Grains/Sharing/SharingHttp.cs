using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Sharing;

/// <summary>The silo's one HTTP client for processors: signed JSON posts, answered by whether they were acknowledged (2xx).</summary>
public sealed class SharingHttp(IOptions<SharingOptions> options) : IDisposable
{
    // Connections are recycled, so a processor's DNS change is picked up without a restart.
    private readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = options.Value.PushTimeout,
    };

    /// <summary>Posts <paramref name="body"/> to <paramref name="endpoint"/> with its signature in <paramref name="signatureHeader"/>.</summary>
    /// <returns>The status answered, or <c>null</c> if none came (refused, timed out).</returns>
    public async Task<int?> PostSignedAsync(string endpoint, byte[] body, string signatureHeader, string secret, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.Add(signatureHeader, Signatures.Sign(secret, body));
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        try
        {
            using var response = await _client.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}
