using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sharing;

/// <summary>The processors registry: who may receive data under contract, and the audit of every change to it.</summary>
[RegionPlacement]
public sealed partial class ProcessorRegistryGrain(
    [PersistentState("processors", StorageNames.Subjects)] IPersistentState<ProcessorRegistryState> state,
    PolicyClock time,
    IOptions<OutboxOptions> outbox,
    ILogger<ProcessorRegistryGrain> logger) : Grain, IProcessorRegistryGrain
{
    /// <summary>The newest audit entries kept; older ones are dropped, as the registry's state must stay bounded.</summary>
    private const int MaxAudit = 500;

    public async Task<ProcessorView?> PutAsync(ProcessorView processor, string? secret, string officerId)
    {
        ArgumentNullException.ThrowIfNull(processor);
        var stored = await state.UpdateAsync(
            () =>
            {
                var now = time.GetUtcNow();
                var known = state.State.Processors.GetValueOrDefault(processor.ProcessorId);
                if (known is null && secret is null && processor.Certificate is null)
                {
                    return (false, (ProcessorView?)null);
                }

                var entry = new StoredProcessor(processor with { UpdatedAt = now }, secret ?? known?.Secret ?? string.Empty);
                state.State.Processors[processor.ProcessorId] = entry;
                state.State.Audit.Add(new AuditEntry(
                    now,
                    known is null ? "processor-registered" : "processor-updated",
                    $"processor {processor.ProcessorId} by officer {officerId}; contract {processor.Contract.Reference}{(secret is null ? string.Empty : "; secret set")}"));
                if (state.State.Audit.Count > MaxAudit)
                {
                    state.State.Audit.RemoveRange(0, state.State.Audit.Count - MaxAudit);
                }

                return (true, (ProcessorView?)entry.View);
            },
            DeactivateOnIdle);
        if (stored is not null)
        {
            LogPut(logger, processor.ProcessorId);
        }

        return stored;
    }

    public Task<ProcessorView?> GetAsync(string processorId) =>
        Task.FromResult(state.State.Processors.GetValueOrDefault(processorId)?.View);

    public Task<ImmutableArray<ProcessorView>> ListAsync() =>
        Task.FromResult(state.State.Processors.Values.Select(entry => entry.View).OrderBy(view => view.ProcessorId, StringComparer.Ordinal).ToImmutableArray());

    public Task<ImmutableArray<AuditEntry>> AuditAsync() => Task.FromResult(state.State.Audit.ToImmutableArray());

    public Task<MailRelayView> MailRelayAsync()
    {
        var relayId = outbox.Value.RelayProcessorId;
        var known = relayId is null ? null : state.State.Processors.GetValueOrDefault(relayId)?.View;
        var now = time.GetUtcNow();
        var status = string.IsNullOrWhiteSpace(relayId) ? (string.IsNullOrWhiteSpace(outbox.Value.Smtp.Host) ? "files" : "not-named")
            : known is null ? "not-registered"
            : now >= known.Contract.ExpiresAt ? "contract-expired"
            : now < known.Contract.SignedAt ? "contract-not-yet-signed"
            : "under-contract";
        return Task.FromResult(new MailRelayView(status, string.IsNullOrWhiteSpace(relayId) ? null : relayId, known));
    }

    public Task<ProcessorDelivery?> GetDeliveryAsync(string processorId) =>
        Task.FromResult(state.State.Processors.GetValueOrDefault(processorId) is { } entry
            ? new ProcessorDelivery(entry.View.Endpoint, entry.View.ErasureEndpoint, entry.Secret, entry.View.Contract, entry.View.Certificate)
            : null);

    public Task<ProcessorView?> FindByDomainAsync(string domain) =>
        Task.FromResult(state.State.Processors.Values.Select(entry => entry.View)
            .FirstOrDefault(view => view.OpenDsrDomain is { } known && string.Equals(known, domain, StringComparison.OrdinalIgnoreCase)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Processor {ProcessorId} registered or updated")]
    private static partial void LogPut(ILogger logger, string processorId);
}

/// <summary>The registry's stored state: processors by id, with their secrets, and the audit of changes.</summary>
public sealed class ProcessorRegistryState
{
    public Dictionary<string, StoredProcessor> Processors { get; set; } = new(StringComparer.Ordinal);

    public List<AuditEntry> Audit { get; set; } = [];
}

/// <summary>A processor as stored: what officers see, and the secret they never see again.</summary>
/// <param name="View">The registry entry.</param>
/// <param name="Secret">The signing secret.</param>
public sealed record StoredProcessor(ProcessorView View, string Secret);
