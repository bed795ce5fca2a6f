using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Interfaces.Receipts;

/// <summary>Our receipt-signing keys, for the processes that sign or publish them.</summary>
public static partial class ReceiptKeysRegistration
{
    /// <summary>
    /// Adds the options bound to <paramref name="section"/> (<c>Receipts</c>) and the key ring, once. Keys are required
    /// unless <paramref name="singleProcess"/> (the whole service in one in-memory process), which then draws an
    /// ephemeral key and says so: receipts signed by it verify only while that process lives.
    /// </summary>
    public static IServiceCollection AddReceiptKeys(this IServiceCollection services, IConfiguration section, bool singleProcess)
    {
        if (services.Any(service => service.ServiceType == typeof(ReceiptKeyRing)))
        {
            return services;
        }

        services.AddOptions<ReceiptOptions>().Bind(section)
            .Validate(
                options => options.ConfiguredKeys().Any() || singleProcess,
                "Receipts:Keys (Ed25519 PKCS#8 PEM, text or file path, by key id) is required unless the service is one in-memory process: "
                + "receipts are checked against the published keys, which every replica must share and keep.")
            .Validate(options => !options.ConfiguredKeys().Any() || Loads(options), "Receipts:Keys must be Ed25519 private keys in PKCS#8 PEM, and Receipts:ActiveKey one of them.")
            .ValidateOnStart();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ReceiptOptions>>().Value;
            if (options.ConfiguredKeys().Any())
            {
                return ReceiptKeyRing.Load(options);
            }

            LogEphemeralKey(provider.GetRequiredService<ILogger<ReceiptKeyRing>>());
            return ReceiptKeyRing.Ephemeral();
        });
        return services;
    }

    private static bool Loads(ReceiptOptions options)
    {
        try
        {
            ReceiptKeyRing.Load(options).Dispose();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receipts:Keys is not set: receipts are signed with a key that lives only as long as this process")]
    private static partial void LogEphemeralKey(ILogger logger);
}
