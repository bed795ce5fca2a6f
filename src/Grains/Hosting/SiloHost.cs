using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The host of a silo process of its own (<c>src/Silo</c>), here so tests build exactly the same host.</summary>
public static class SiloHost
{
    /// <summary>
    /// A host running one silo configured by <see cref="SiloConfiguration.AddPrimeDirective"/>, driven by appsettings,
    /// environment (also with a <c>PD_</c> prefix) and <paramref name="args"/>. Such a silo always shares its data with a
    /// gateway in another process, so it needs the configured pseudonym key even in memory.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddEnvironmentVariables("PD_");
        builder.UseOrleans(silo => silo.AddPrimeDirective(builder.Configuration, singleProcess: false));
        return builder;
    }
}
