using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Sharing;

/// <summary>The silo's one HTTP client for processors: signed JSON posts, answered by whether they were acknowledged (2xx).</summary>
public sealed class SharingHttp(IOptions<SharingOptions> options) : IDisposable
{
    // Connections are recycled, so a processor's DNS change is picked up without a restart. No trace context (traceparent,
    // baggage) goes to a processor: it is another organisation, and our traces are ours.
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
        ActivityHeadersPropagator = null,
    })
    {
        Timeout = options.Value.PushTimeout,
    };

    /// <summary>Posts <paramref name="body"/> to <paramref name="endpoint"/> with <paramref name="signature"/> in <paramref name="signatureHeader"/>.</summary>
    /// <returns>The status answered, or <c>null</c> if none came (refused, timed out).</returns>
    public async Task<int?> PostSignedAsync(string endpoint, byte[] body, string signatureHeader, string signature, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.Add(signatureHeader, signature);
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

    /// <summary>Sends a request with <paramref name="headers"/> (and <paramref name="body"/> as JSON, if any); its answer, or <c>null</c> if none came.</summary>
    /// <remarks>The answer's body is read up to <paramref name="maxBodyBytes"/>; a longer one counts as none.</remarks>
    public async Task<HttpAnswer?> SendAsync(HttpMethod method, string url, byte[]? body, IReadOnlyDictionary<string, string> headers, int maxBodyBytes = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var content = new MemoryStream();
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                if (content.Length + read > maxBodyBytes)
                {
                    return null;
                }

                content.Write(buffer, 0, read);
            }

            var answered = response.Headers.ToDictionary(header => header.Key, header => string.Join(",", header.Value), StringComparer.OrdinalIgnoreCase);
            return new HttpAnswer((int)response.StatusCode, answered, content.ToArray());
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

/// <summary>An HTTP answer: its status, headers and body.</summary>
public sealed record HttpAnswer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body);
