using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>The controllers an officer allowed to send us OpenDSR requests (the whitelist), and the audit of every change.</summary>
[RegionPlacement]
public sealed partial class OpenDsrControllerRegistryGrain(
    [PersistentState("opendsr-controllers", StorageNames.Subjects)] IPersistentState<OpenDsrControllerRegistryState> state,
    PolicyClock time,
    ILogger<OpenDsrControllerRegistryGrain> logger) : Grain, IOpenDsrControllerRegistryGrain
{
    /// <summary>The newest audit entries kept; older ones are dropped, as the registry's state must stay bounded.</summary>
    private const int MaxAudit = 500;

    public async Task<OpenDsrControllerView> PutAsync(OpenDsrControllerView controller, string officerId)
    {
        ArgumentNullException.ThrowIfNull(controller);
        var stored = await state.UpdateAsync(
            () =>
            {
                var now = time.GetUtcNow();
                var known = state.State.Controllers.ContainsKey(controller.ControllerId);
                var entry = controller with { UpdatedAt = now };
                state.State.Controllers[controller.ControllerId] = entry;
                state.State.Audit.Add(new AuditEntry(now, known ? "controller-updated" : "controller-registered", $"controller {controller.ControllerId} ({controller.Domain}) by officer {officerId}"));
                if (state.State.Audit.Count > MaxAudit)
                {
                    state.State.Audit.RemoveRange(0, state.State.Audit.Count - MaxAudit);
                }

                return (true, entry);
            },
            DeactivateOnIdle);
        LogPut(logger, controller.ControllerId);
        return stored;
    }

    public Task<OpenDsrControllerView?> GetAsync(string controllerId) => Task.FromResult(state.State.Controllers.GetValueOrDefault(controllerId));

    public Task<ImmutableArray<OpenDsrControllerView>> ListAsync() =>
        Task.FromResult(state.State.Controllers.Values.OrderBy(view => view.ControllerId, StringComparer.Ordinal).ToImmutableArray());

    public Task<OpenDsrControllerView?> FindByDomainAsync(string domain) =>
        Task.FromResult(state.State.Controllers.Values.FirstOrDefault(view => string.Equals(view.Domain, domain, StringComparison.OrdinalIgnoreCase)));

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenDSR controller {ControllerId} registered or updated")]
    private static partial void LogPut(ILogger logger, string controllerId);
}

/// <summary>The registry's stored state: controllers by id, and the audit of changes.</summary>
public sealed class OpenDsrControllerRegistryState
{
    public Dictionary<string, OpenDsrControllerView> Controllers { get; set; } = new(StringComparer.Ordinal);

    public List<AuditEntry> Audit { get; set; } = [];
}
