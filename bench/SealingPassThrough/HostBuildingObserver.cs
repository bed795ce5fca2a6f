using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.SealingPassThrough;

/// <summary>
/// Replaces the <see cref="Sealer"/> registration with <see cref="PassThroughSealer"/> when the gateway builds its host.
/// The hosting library announces "HostBuilding" on its diagnostic listener after the application's own registrations and
/// before the service provider exists (the hook <c>WebApplicationFactory</c> uses), so this replacement is the last word;
/// an <c>IHostingStartup</c> runs before the application registers its services, and could not be.
/// </summary>
internal sealed class HostBuildingObserver : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    /// <summary>The line the gateway prints once the pass-through is in (the bench reads it back).</summary>
    public const string Installed = "ingest-bench: the sealer is a pass-through in this process";

    private const string HostingListener = "Microsoft.Extensions.Hosting";
    private const string HostBuilding = "HostBuilding";

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == HostingListener)
        {
            // The listener keeps its subscribers for its own life; nothing to dispose.
            _ = value.Subscribe(this);
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != HostBuilding || value.Value is not IHostBuilder host)
        {
            return;
        }

        host.ConfigureServices((_, services) =>
        {
            services.Replace(ServiceDescriptor.Singleton<Sealer, PassThroughSealer>());
            Console.WriteLine(Installed);
        });
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
