namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>Secrets and switches of the privacy machinery (configuration section <c>Privacy</c>).</summary>
public sealed class PrivacyOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Privacy";

    /// <summary>
    /// Base64 key (at least 32 bytes) of the HMAC that turns subject ids into grain keys and index keys.
    /// Required for durable storage (changing it orphans every stored subject) and wherever several processes share
    /// data (a silo of its own, a client-mode gateway): they must all derive the same keys.
    /// </summary>
    public string? PseudonymKey { get; set; }
}
