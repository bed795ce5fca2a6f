using System.Diagnostics;
using PrimeDirective.SealingPassThrough;

/// <summary>
/// The runtime's startup hook (<c>DOTNET_STARTUP_HOOKS</c> names this assembly's path; the runtime calls
/// <see cref="Initialize"/> before the gateway's <c>Main</c>): it waits for the gateway's host to be built and puts the
/// pass-through sealer in. The runtime finds the hook by this type name, in no namespace.
/// </summary>
#pragma warning disable CA1050 // The runtime looks the type up as "StartupHook", without a namespace.
internal static class StartupHook
#pragma warning restore CA1050
{
    /// <summary>Called once by the runtime, before <c>Main</c>; the subscription lasts as long as the process (never disposed).</summary>
    public static void Initialize() => _ = DiagnosticListener.AllListeners.Subscribe(new HostBuildingObserver());
}
