using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The host of a silo process of its own (<c>src/Silo</c>), here so tests build exactly the same host.</summary>
public static class SiloHost
{
    /// <summary>A directory whose files are configuration keys (the process's secrets), as a secret volume mounts them.</summary>
    public const string SecretsDirectoryKey = "Secrets:Directory";

    /// <summary>
    /// A host running one silo configured by <see cref="SiloConfiguration.AddPrimeDirective"/>, driven by appsettings,
    /// environment (also with a <c>PD_</c> prefix), <paramref name="args"/> and the files of <c>Secrets:Directory</c>. Such a silo always shares its data with a
    /// gateway in another process, so it needs the configured pseudonym key even in memory.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = ConfigurationOf(args);
        builder.UseOrleans(silo => silo.AddPrimeDirective(builder.Configuration, singleProcess: false));
        return builder;
    }

    /// <summary>A host builder with a silo's configuration sources only (a subcommand such as <c>restore-fences</c> reads it).</summary>
    internal static HostApplicationBuilder ConfigurationOf(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddEnvironmentVariables("PD_");

        // Secrets mounted as files (a Kubernetes secret volume): one file per key, "__" for ":".
        if (builder.Configuration[SecretsDirectoryKey] is { Length: > 0 } secrets)
        {
            builder.Configuration.AddKeyPerFile(secrets, optional: false);
        }

        return builder;
    }
}
