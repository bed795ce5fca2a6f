namespace PrimeDirective.Gateway.Auth;

/// <summary>Tokens (configuration section <c>Auth</c>), per DESIGN §4.</summary>
internal sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public const string DefaultName = "prime-directive";

    /// <summary>Base64 HS256 key (at least 32 bytes). Required unless the gateway is one in-memory process (every replica needs the same).</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Rotation: HS256 keys by version (<c>Auth:SigningKeys:{version}</c>, base64, 32+ bytes). Tokens are signed with the
    /// highest version (named in their <c>kid</c>) and verified with any configured; <see cref="SigningKey"/>, if set too, is
    /// the oldest. Retiring a version is removing it: every token it signed gets 401 from then on.
    /// </summary>
    public Dictionary<string, string> SigningKeys { get; set; } = [];

    public string Issuer { get; set; } = DefaultName;

    public string Audience { get; set; } = DefaultName;

    /// <summary>An external OpenID Connect issuer whose tokens are accepted as well (officers by its <c>role</c> claim).</summary>
    public string? Authority { get; set; }

    /// <summary>Whether the external issuer's metadata must come over HTTPS (only a test issuer on loopback may turn it off).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>How long a token minted here is valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a gateway trusts its last answer that a token was not signed out: a token ended through another gateway
    /// is refused here within this (plus one grain call). Keep it under 5 seconds.
    /// </summary>
    public TimeSpan RevocationCheckPeriod { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>User ids of privacy officers.</summary>
    public string[] Officers { get; set; } = [];
}
