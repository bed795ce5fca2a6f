namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>OpenDSR 2.0 (configuration section <c>OpenDsr</c>): our domain, signing certificates, and whom we trust.</summary>
public sealed class OpenDsrOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "OpenDsr";

    /// <summary>Our OpenDSR domain: sent in <c>X-OpenDSR-Processor-Domain</c>, named in our certificate's SAN.</summary>
    public string? Domain { get; set; }

    /// <summary>Where processors reach us (e.g. <c>https://opendsr.example.com</c>): our callback URLs are built on it.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The regulation our outbound requests name (<c>gdpr</c> or <c>ccpa</c>).</summary>
    public string Regulation { get; set; } = "gdpr";

    /// <summary>Our P-256 signing keys by id (a CA-issued certificate and its private key, each PEM text or a file path); several versions may be published.</summary>
    public Dictionary<string, OpenDsrKeyOptions> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The id of the key that signs now; the others are only published.</summary>
    public string? ActiveKey { get; set; }

    /// <summary>Certificate authorities we trust for others' OpenDSR certificates (PEM text or file paths).</summary>
    public List<string> TrustAnchors { get; set; } = [];

    /// <summary>Revocation lists of those authorities (PEM or DER, text or file paths).</summary>
    public List<string> RevocationLists { get; set; } = [];

    /// <summary>As a processor: how long a controller's request waits for the person to confirm it before it is cancelled.</summary>
    public TimeSpan ConfirmationWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>As a processor: the <c>expected_completion_time</c> we answer, counted from receipt (GDPR's one month).</summary>
    public TimeSpan CompletionTime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>As a processor: how long an access or portability request's <c>results_url</c> works once completed (like a disclosure package's).</summary>
    public TimeSpan ResultsLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>As a processor: how many times a <c>results_url</c> may be fetched (each fetch is a release in the person's disclosure ledger).</summary>
    public int ResultsFetches { get; set; } = 3;
}

/// <summary>One version of our OpenDSR signing key.</summary>
public sealed class OpenDsrKeyOptions
{
    /// <summary>The certificate, with its chain after it (PEM text or a file path).</summary>
    public string? Certificate { get; set; }

    /// <summary>Its P-256 private key (PEM text or a file path).</summary>
    public string? PrivateKey { get; set; }
}
