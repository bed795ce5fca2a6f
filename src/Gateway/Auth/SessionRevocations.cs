using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.PrivacyCenter;

namespace PrimeDirective.Gateway.Auth;

/// <summary>
/// Whether one of our tokens was ended (signed out), by its id (<c>jti</c>): one grain call per token, its answer kept
/// for <see cref="AuthOptions.RevocationCheckPeriod"/>, so a token ended through another gateway is refused here within
/// that period (plus one call), and one ended through this gateway from its next request. An ended token stays known
/// as ended until it expires. Bounded: beyond its size the cache keeps nothing more and each request asks the grain.
/// </summary>
internal sealed class SessionRevocations(IGrainFactory grains, IOptions<AuthOptions> options) : IDisposable
{
    private const int MaxTokens = 100_000;

    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = MaxTokens });

    /// <summary>Whether the token <paramref name="tokenId"/> of a person of <paramref name="region"/> was ended.</summary>
    public Task<bool> IsEndedAsync(string region, string tokenId, DateTimeOffset tokenExpiresAt)
    {
        var key = WebSessionKeys.For(region, tokenId);
        if (_known.TryGetValue(key, out Task<bool>? known) && known is not null)
        {
            return known;
        }

        // Concurrent requests with one token share the one call; a failed call is not remembered.
        var asked = AskAsync(key, tokenExpiresAt);
        _ = _known.Set(key, asked, Entry(DateTimeOffset.UtcNow + options.Value.RevocationCheckPeriod));
        if (asked.IsFaulted)
        {
            _known.Remove(key);
        }

        return asked;
    }

    /// <summary>The token was ended through this gateway: refused here from the next request on.</summary>
    public void Ended(string region, string tokenId, DateTimeOffset tokenExpiresAt) =>
        _ = _known.Set(WebSessionKeys.For(region, tokenId), Task.FromResult(true), Entry(tokenExpiresAt));

    public void Dispose() => _known.Dispose();

    private async Task<bool> AskAsync(string key, DateTimeOffset tokenExpiresAt)
    {
        try
        {
            var ended = await grains.GetGrain<IWebSessionGrain>(key).IsEndedAsync();
            if (ended)
            {
                _ = _known.Set(key, Task.FromResult(true), Entry(tokenExpiresAt));
            }

            return ended;
        }
        catch
        {
            _known.Remove(key);
            throw;
        }
    }

    private static MemoryCacheEntryOptions Entry(DateTimeOffset until) => new() { AbsoluteExpiration = until, Size = 1 };
}
