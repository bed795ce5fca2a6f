using System.Text;
using NSec.Cryptography;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>Ed25519 receipt keys as configuration holds them (PKCS#8 PEM), drawn at run time.</summary>
public static class TestReceiptKeys
{
    /// <summary>The key id the test services sign receipts with.</summary>
    public const string Id = "test-1";

    /// <summary>A new Ed25519 private key as PKCS#8 PEM (what <c>openssl genpkey -algorithm ed25519</c> writes).</summary>
    public static string NewPem()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return Encoding.ASCII.GetString(key.Export(KeyBlobFormat.PkixPrivateKeyText));
    }
}
