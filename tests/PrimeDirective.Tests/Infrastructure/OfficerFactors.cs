using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OtpNet;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// Officers' second factor as tests give it: each officer's authenticator (enrolled once, through the real route or page)
/// is remembered here, and codes come from it as an authenticator app computes them (Otp.NET). The gateway refuses a
/// code of a time step already used, so each officer's next code is of a later step (one step of drift is allowed) or,
/// when two are wanted within one step, one of their recovery codes.
/// </summary>
public static class OfficerFactors
{
    private static readonly ConcurrentDictionary<string, Authenticator> s_authenticators = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, string> s_upgraded = new(StringComparer.Ordinal);

    private static readonly SemaphoreSlim s_gate = new(1, 1);

    /// <summary>Whether <paramref name="token"/> says its holder gave the second factor (<c>amr</c> holds <c>mfa</c>).</summary>
    public static bool HasFactor(string token) => Claims(token)?["amr"] is JsonArray methods && methods.Any(method => (string?)method == "mfa");

    /// <summary>The user id (<c>sub</c>) <paramref name="token"/> names, if it is a JWT.</summary>
    public static string? UserIdOf(string token) => (string?)Claims(token)?["sub"];

    /// <summary>Remembers the authenticator an enrolment (route or page) gave <paramref name="userId"/>.</summary>
    public static void Remember(string userId, string secret, IEnumerable<string> recoveryCodes) =>
        s_authenticators[userId] = new Authenticator(secret, new ConcurrentQueue<string>(recoveryCodes));

    /// <summary>Whether the tests hold <paramref name="userId"/>'s authenticator.</summary>
    public static bool Knows(string userId) => s_authenticators.ContainsKey(userId);

    /// <summary>A code <paramref name="userId"/>'s authenticator gives now, of a step no code of theirs used yet (else a recovery code).</summary>
    public static string NextCode(string userId) => s_authenticators[userId].Next();

    /// <summary>
    /// A token with the second factor for the holder of <paramref name="token"/>, got through <paramref name="send"/> from
    /// the gateway at <paramref name="gateway"/> (enrolling the first time); <paramref name="token"/> itself if it has the
    /// factor, or if that gateway does not take its holder for an officer (the route then answers as it would).
    /// </summary>
    public static async Task<string> UpgradeAsync(Func<HttpRequestMessage, Task<HttpResponseMessage>> send, Uri gateway, string token)
    {
        if (HasFactor(token) || UserIdOf(token) is not { } userId)
        {
            return token;
        }

        await s_gate.WaitAsync();
        try
        {
            if (s_upgraded.TryGetValue(token, out var known))
            {
                // A token signed out (or of an erased account) since stays refused: its upgrade is not used.
                using var me = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, "/v1/me"));
                me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var still = await send(me);
                return still.StatusCode == HttpStatusCode.OK ? known : token;
            }

            if (!Knows(userId))
            {
                using var enrolment = await send(Post(gateway, "/v1/sessions/factor/enrolment", token, null));
                if (enrolment.StatusCode != HttpStatusCode.OK)
                {
                    return token;
                }

                var enrolled = await Json.ReadAsync(enrolment);
                Remember(userId, (string)enrolled["secret"]!, enrolled["recoveryCodes"]!.AsArray().Select(code => (string)code!));
            }

            using var factor = await send(Post(gateway, "/v1/sessions/factor", token, new { code = NextCode(userId) }));
            if (factor.StatusCode != HttpStatusCode.OK)
            {
                // Not an officer on this gateway (403): the route answers as it would for this token.
                Assert.Equal(HttpStatusCode.Forbidden, factor.StatusCode);
                return token;
            }

            var upgraded = (string)(await Json.ReadAsync(factor))["token"]!;
            s_upgraded[token] = upgraded;
            return upgraded;
        }
        finally
        {
            s_gate.Release();
        }
    }

    private static HttpRequestMessage Post(Uri gateway, string path, string token, object? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, path)) { Content = body is null ? null : Json.Body(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static JsonObject? Claims(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))) as JsonObject;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private sealed class Authenticator(string secret, ConcurrentQueue<string> recoveryCodes)
    {
        private readonly Totp _totp = new(Base32Encoding.ToBytes(secret));
        private readonly Lock _lock = new();
        private long _lastStep;

        public string Next()
        {
            lock (_lock)
            {
                var now = DateTime.UtcNow;
                var step = new DateTimeOffset(now).ToUnixTimeSeconds() / 30;
                var use = Math.Max(step, _lastStep + 1);
                if (use <= step + 1)
                {
                    _lastStep = use;
                    return _totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(use * 30).UtcDateTime);
                }
            }

            return recoveryCodes.TryDequeue(out var code) ? code : throw new InvalidOperationException("The officer's recovery codes are used up.");
        }
    }
}

/// <summary>
/// A client of an officer gateway: a request to <c>/v1/admin/</c> whose bearer token lacks the second factor is sent with
/// its holder's token that has it (see <see cref="OfficerFactors"/>), so tests that act as an officer need no step of their
/// own. Tests of the factor itself use a plain client.
/// </summary>
public class OfficerFactorHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { } uri && uri.AbsolutePath.Contains("/v1/admin/", StringComparison.Ordinal) &&
            request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } token } && !OfficerFactors.HasFactor(token))
        {
            var upgraded = await OfficerFactors.UpgradeAsync(sent => base.SendAsync(sent, cancellationToken), new Uri(uri.GetLeftPart(UriPartial.Authority)), token);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", upgraded);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
