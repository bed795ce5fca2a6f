using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PrimeDirective.Gateway.Auth;

/// <summary>Mints and checks the gateway's own tokens: JWT, HS256 with the newest of <c>Auth:SigningKeys</c> (or <c>Auth:SigningKey</c>); <c>sub</c> is the user id.</summary>
internal sealed partial class TokenIssuer
{
    public const string RoleClaim = "role";

    public const string OfficerRole = "privacy-officer";

    /// <summary>How the token's holder proved who they are (RFC 8176 values).</summary>
    public const string MethodsClaim = "amr";

    /// <summary>A one-time code: the emailed code every sign-in gives.</summary>
    public const string EmailCodeMethod = "otp";

    /// <summary>A second factor on top (an officer's authenticator or recovery code).</summary>
    public const string SecondFactorMethod = "mfa";

    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly SigningCredentials _credentials;

    public TokenIssuer(IOptions<AuthOptions> options, TimeProvider time, ILogger<TokenIssuer> logger)
    {
        _options = options.Value;
        _time = time;
        var keys = new SortedDictionary<int, SymmetricSecurityKey>();
        if (!string.IsNullOrWhiteSpace(_options.SigningKey))
        {
            // The single key of before rotation: the oldest version, for tokens that name none.
            keys[0] = KeyOf(_options.SigningKey, "Auth:SigningKey", "0");
        }

        foreach (var (version, value) in _options.SigningKeys)
        {
            if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number <= 0)
            {
                throw new InvalidOperationException("Auth:SigningKeys are named by positive integer versions.");
            }

            keys[number] = KeyOf(value, $"Auth:SigningKeys:{number}", version);
        }

        if (keys.Count == 0)
        {
            keys[0] = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "0" };
            LogEphemeralKey(logger);
        }

        VerificationKeys = [.. keys.Values];
        Key = keys.Values.Last();
        _credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
    }

    /// <summary>The key new tokens are signed with: the highest version configured.</summary>
    public SymmetricSecurityKey Key { get; }

    /// <summary>Every configured key: a token signed with any of them is accepted until its version is removed.</summary>
    public IReadOnlyList<SymmetricSecurityKey> VerificationKeys { get; }

    public bool IsOfficer(string userId) => _options.Officers.Contains(userId, StringComparer.Ordinal);

    /// <summary>A token for <paramref name="userId"/>, who gave the emailed code and, when <paramref name="secondFactor"/>, a second factor.</summary>
    public string Mint(string userId, bool secondFactor = false)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = userId,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            [MethodsClaim] = secondFactor ? new[] { EmailCodeMethod, SecondFactorMethod } : new[] { EmailCodeMethod },
        };
        if (IsOfficer(userId))
        {
            claims[RoleClaim] = OfficerRole;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.TokenLifetime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    /// <summary>Whether <paramref name="user"/>'s token says a second factor was given (ours after the factor, or an external issuer's <c>amr</c>).</summary>
    public static bool HasSecondFactor(ClaimsPrincipal user) => user.HasClaim(MethodsClaim, SecondFactorMethod);

    /// <summary>Our own tokens carry the officer role only while configuration still names the user an officer.</summary>
    public ClaimsIdentity? RolesFor(string userId) =>
        IsOfficer(userId) ? new ClaimsIdentity([new Claim(RoleClaim, OfficerRole)], "configuration", JwtRegisteredClaimNames.Sub, RoleClaim) : null;

    private static SymmetricSecurityKey KeyOf(string base64, string where, string keyId)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{where} is not base64.");
        }

        return key.Length < 32
            ? throw new InvalidOperationException($"{where} must be at least 32 bytes of base64.")
            : new SymmetricSecurityKey(key) { KeyId = keyId };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:SigningKey is not set: tokens are signed with a key that lives only as long as this process")]
    private static partial void LogEphemeralKey(ILogger logger);
}
