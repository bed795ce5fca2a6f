using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>What a certificate check found; only <see cref="Valid"/> lets a signature count.</summary>
public enum CertificateVerdict
{
    /// <summary>Issued by a trusted authority, in its validity period, not revoked, for the domain, with a strong key.</summary>
    Valid = 0,

    /// <summary>Not a PEM certificate.</summary>
    Unreadable = 1,

    /// <summary>Self-signed (OpenDSR §4.1 forbids it).</summary>
    SelfSigned = 2,

    /// <summary>Outside its validity period (or an authority in its chain is).</summary>
    Expired = 3,

    /// <summary>Not issued by a configured trust anchor.</summary>
    Untrusted = 4,

    /// <summary>The domain is not in its SAN.</summary>
    WrongDomain = 5,

    /// <summary>On a configured revocation list.</summary>
    Revoked = 6,

    /// <summary>Neither ECDSA P-256 nor RSA of 2048 bits or more.</summary>
    WeakKey = 7,
}

/// <summary>
/// Judges others' OpenDSR certificates against the configured trust anchors and revocation lists (chain and time by
/// .NET's own chain builder, revocation from the configured lists), and checks signatures over the raw body.
/// </summary>
public sealed class CertificateTrust
{
    private readonly X509Certificate2Collection _anchors = [];
    private readonly ImmutableArray<RevocationList> _revocations;

    /// <summary>Reads the trust anchors and revocation lists; throws <see cref="CryptographicException"/> on an unreadable one.</summary>
    public CertificateTrust(OpenDsrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var anchor in options.TrustAnchors)
        {
            _anchors.ImportFromPem(Pem.Read(anchor));
        }

        _revocations = [.. options.RevocationLists.Select(RevocationList.Read)];
    }

    /// <summary>Judges the PEM chain <paramref name="pemChain"/> (certificate first) for <paramref name="domain"/> at <paramref name="at"/>.</summary>
    public CertificateVerdict Check(string? pemChain, string domain, DateTimeOffset at)
    {
        if (Read(pemChain) is not { Count: > 0 } chain)
        {
            return CertificateVerdict.Unreadable;
        }

        var leaf = chain[0];
        if (leaf.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData))
        {
            return CertificateVerdict.SelfSigned;
        }

        if (!HasStrongKey(leaf))
        {
            return CertificateVerdict.WeakKey;
        }

        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        builder.ChainPolicy.ExtraStore.AddRange(chain);
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.VerificationTime = at.UtcDateTime;
        if (_anchors.Count == 0 || !builder.Build(leaf))
        {
            return builder.ChainStatus.Any(status => status.Status.HasFlag(X509ChainStatusFlags.NotTimeValid)) || at < leaf.NotBefore || at > leaf.NotAfter
                ? CertificateVerdict.Expired
                : CertificateVerdict.Untrusted;
        }

        var elements = builder.ChainElements.Select(element => element.Certificate).ToList();
        for (var index = 0; index + 1 < elements.Count; index++)
        {
            var (subject, issuer) = (elements[index], elements[index + 1]);
            if (_revocations.Any(list => list.Revokes(subject, issuer)))
            {
                return CertificateVerdict.Revoked;
            }
        }

        return leaf.MatchesHostname(domain, allowWildcards: false, allowCommonName: false) ? CertificateVerdict.Valid : CertificateVerdict.WrongDomain;
    }

    /// <summary>Whether <paramref name="base64Signature"/> is the certificate's signature over the SHA-256 of <paramref name="body"/> (ECDSA DER or raw, RSA PKCS#1 v1.5).</summary>
    public static bool Verifies(string? pemChain, ReadOnlySpan<byte> body, string? base64Signature)
    {
        if (Read(pemChain) is not { Count: > 0 } chain || base64Signature is null)
        {
            return false;
        }

        var compact = string.Concat(base64Signature.Where(character => !char.IsWhiteSpace(character)));
        var signature = new byte[compact.Length];
        if (!Convert.TryFromBase64String(compact, signature, out var length))
        {
            return false;
        }

        signature = signature[..length];
        using var ecdsa = chain[0].GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.VerifyData(body, signature, HashAlgorithmName.SHA256, length == 64 ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = chain[0].GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(body, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static X509Certificate2Collection? Read(string? pemChain)
    {
        if (string.IsNullOrWhiteSpace(pemChain))
        {
            return null;
        }

        try
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(pemChain);
            return chain;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static bool HasStrongKey(X509Certificate2 certificate)
    {
        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return ecdsa.KeySize == 256;
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null && rsa.KeySize >= 2048;
    }

    /// <summary>One authority's revocation list (RFC 5280 §5): its issuer, the signed part with its signature, the revoked serials.</summary>
    private sealed record RevocationList(byte[] Issuer, byte[] Signed, string Algorithm, byte[] Signature, ImmutableHashSet<string> Serials)
    {
        public static RevocationList Read(string valueOrPath)
        {
            var text = valueOrPath.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? valueOrPath : null;
            var der = text is not null ? FromPem(text)
                : File.ReadAllBytes(valueOrPath) is var bytes && bytes.Length > 0 && bytes[0] == (byte)'-' ? FromPem(File.ReadAllText(valueOrPath)) : File.ReadAllBytes(valueOrPath);
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var signed = list.PeekEncodedValue().ToArray();
            var tbs = list.ReadSequence();
            var algorithm = list.ReadSequence().ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadIntegerBytes();
            }

            tbs.ReadSequence();
            var issuer = tbs.ReadEncodedValue().ToArray();
            tbs.ReadEncodedValue();
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
            {
                tbs.ReadEncodedValue();
            }

            var serials = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    serials.Add(Serial(revoked.ReadSequence().ReadIntegerBytes().Span));
                }
            }

            return new RevocationList(issuer, signed, algorithm, signature, serials.ToImmutable());
        }

        /// <summary>Whether this list, signed by <paramref name="issuer"/>, revokes <paramref name="subject"/>.</summary>
        public bool Revokes(X509Certificate2 subject, X509Certificate2 issuer) =>
            Issuer.AsSpan().SequenceEqual(subject.IssuerName.RawData) && IsSignedBy(issuer) && Serials.Contains(Serial(subject.SerialNumberBytes.Span));

        private bool IsSignedBy(X509Certificate2 issuer)
        {
            var hash = Algorithm switch
            {
                "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
                "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
                _ => default,
            };
            if (hash == default)
            {
                return false;
            }

            using var ecdsa = issuer.GetECDsaPublicKey();
            if (ecdsa is not null)
            {
                return ecdsa.VerifyData(Signed, Signature, hash, DSASignatureFormat.Rfc3279DerSequence);
            }

            using var rsa = issuer.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(Signed, Signature, hash, RSASignaturePadding.Pkcs1);
        }

        private static string Serial(ReadOnlySpan<byte> bigEndian) => Convert.ToHexString(bigEndian).TrimStart('0');

        private static byte[] FromPem(string text)
        {
            var fields = PemEncoding.Find(text);
            return Convert.FromBase64String(text[fields.Base64Data]);
        }
    }
}
