using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Auth;

/// <summary>Officers can come from an external OpenID Connect issuer's role claim; its tokens never act as one of our accounts.</summary>
[Collection(TestCollections.SharedService)]
public sealed class ExternalIssuerTests(SharedService service) : IAsyncLifetime
{
    private readonly RSA _key = RSA.Create(2048);
    private WebApplication _issuer = null!;
    private string _issuerUrl = null!;
    private HttpClient _gateway = null!;

    public async Task InitializeAsync()
    {
        // A minimal issuer on loopback: discovery document and its public key, over real HTTP.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        _issuer.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
            Results.Json(new Dictionary<string, object> { ["issuer"] = _issuerUrl, ["jwks_uri"] = $"{_issuerUrl}/jwks" }));
        _issuer.MapGet("/jwks", () =>
        {
            var parameters = _key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new Dictionary<string, object>
            {
                ["keys"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = "test-key",
                        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            });
        });
        await _issuer.StartAsync();
        _issuerUrl = _issuer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _gateway = await service.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Auth:Authority"] = _issuerUrl,
            ["Auth:RequireHttpsMetadata"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await _issuer.StopAsync();
        await _issuer.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task An_external_officer_with_a_second_factor_reaches_officer_routes_and_one_without_it_or_without_the_role_does_not()
    {
        var secondFactor = new Dictionary<string, object> { ["amr"] = new[] { "pwd", "mfa" } };
        using var officer = await SendAsync("/v1/admin/child-removal-requests", ExternalToken("officer-7", "privacy-officer", extra: secondFactor));
        using var oneFactor = await SendAsync("/v1/admin/child-removal-requests", ExternalToken("officer-7", "privacy-officer"));
        using var staff = await SendAsync("/v1/admin/child-removal-requests", ExternalToken("staff-8", role: null));
        using var stranger = await SendAsync("/v1/admin/child-removal-requests", ExternalToken("officer-7", "privacy-officer", signWith: RSA.Create(2048)));

        Assert.Equal(HttpStatusCode.OK, officer.StatusCode);

        // The issuer's token must say a second factor was given (amr "mfa"), as ours must.
        Assert.Equal(HttpStatusCode.Forbidden, oneFactor.StatusCode);
        Assert.Contains("second-factor-required", await oneFactor.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, staff.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
    }

    [Fact]
    public async Task An_external_token_never_acts_as_one_of_our_accounts_even_naming_its_user_id()
    {
        var person = await service.SignUpAsync();
        var impostor = ExternalToken(person.UserId, "privacy-officer", extra: new Dictionary<string, object> { ["prime-directive:account"] = "active" });

        using var me = await SendAsync("/v1/me", impostor);
        using var erase = await SendAsync("/v1/me", impostor, HttpMethod.Delete);

        Assert.Equal(HttpStatusCode.Forbidden, me.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, erase.StatusCode);
        Assert.Equal(person.Email, (string?)(await service.Http.GetMeAsync(person))["account"]!["profile"]!["email"]);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string token, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _gateway.SendAsync(request);
    }

    private string ExternalToken(string subject, string? role, RSA? signWith = null, Dictionary<string, object>? extra = null)
    {
        var claims = new Dictionary<string, object>(extra ?? [], StringComparer.Ordinal) { [JwtRegisteredClaimNames.Sub] = subject };
        if (role is not null)
        {
            claims["role"] = role;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuerUrl,
            Audience = "prime-directive",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signWith ?? _key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });
    }
}
