namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// The certificate a process presents to the rest of the Orleans cluster and the authority it trusts (section
/// <c>Orleans:Tls</c>): PEM files, as a Kubernetes TLS secret mounts them (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>).
/// </summary>
public sealed class ClusterTlsOptions
{
    public const string SectionName = "Orleans:Tls";

    /// <summary>This process's certificate (PEM), signed by the authority in <see cref="CaPath"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key (PEM).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The authority (PEM, one or more certificates) every peer's certificate must chain to.</summary>
    public string? CaPath { get; set; }

    /// <summary>Whether any of the three files is named (then all three must be).</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(KeyPath) || !string.IsNullOrWhiteSpace(CaPath);
}
