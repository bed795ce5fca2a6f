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

/// <summary>
/// The processors registry: who may receive data under contract, and the audit of every change to it. A replaced secret
/// still signs for <see cref="SharingOptions.SecretOverlap"/>, then a reminder destroys it.
/// </summary>
[RegionPlacement]
public sealed partial class ProcessorRegistryGrain(
    [PersistentState("processors", StorageNames.Subjects)] IPersistentState<ProcessorRegistryState> state,
    PolicyClock time,
    IOptions<OutboxOptions> outbox,
    IOptions<SharingOptions> sharing,
    ILogger<ProcessorRegistryGrain> logger) : Grain, IProcessorRegistryGrain, IRemindable
{
    /// <summary>The newest audit entries kept; older ones are dropped, as the registry's state must stay bounded.</summary>
    private const int MaxAudit = 500;

    private const string ForgetReminder = "forget-previous-secrets";

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

                var (kept, previous, until) = Secrets(known, secret, now);
                var entry = new StoredProcessor(processor with { UpdatedAt = now }, kept, previous, until);
                state.State.Processors[processor.ProcessorId] = entry;
                var rotated = until is { } overlapEnd && overlapEnd != known?.PreviousUntil ? $"; secret rotated, the previous one signs too until {overlapEnd:O}" : "; secret set";
                state.State.Audit.Add(new AuditEntry(
                    now,
                    known is null ? "processor-registered" : "processor-updated",
                    $"processor {processor.ProcessorId} by officer {officerId}; contract {processor.Contract.Reference}{(secret is null ? string.Empty : rotated)}"));
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
            await ForgetLaterAsync();
        }

        return stored;
    }

    /// <summary>Destroys every previous secret whose overlap is over; stops reminding once none is left.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var left = await state.UpdateAsync(
            () =>
            {
                // Decided on the state as read now: after a write conflict it is re-read and decided again.
                var now = time.GetUtcNow();
                var over = state.State.Processors.Where(pair => pair.Value.PreviousUntil <= now).Select(pair => pair.Key).ToList();
                foreach (var processorId in over)
                {
                    state.State.Processors[processorId] = state.State.Processors[processorId] with { PreviousSecret = null, PreviousUntil = null };
                }

                return (over.Count > 0, state.State.Processors.Values.Any(entry => entry.PreviousUntil is not null));
            },
            DeactivateOnIdle);
        if (!left && await this.GetReminder(ForgetReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>The secrets after an officer's put: a new secret keeps the one it replaces for the overlap; otherwise a running overlap stays.</summary>
    private (string Secret, string? Previous, DateTimeOffset? Until) Secrets(StoredProcessor? known, string? secret, DateTimeOffset now)
    {
        var overlap = sharing.Value.SecretOverlap;
        return known is null ? (secret ?? string.Empty, null, null)
            : secret is null || secret == known.Secret ? (known.Secret, known.PreviousSecret, known.PreviousUntil)
            : known.Secret.Length > 0 && overlap > TimeSpan.Zero ? (secret, known.Secret, now + overlap)
            : (secret, null, null);
    }

    /// <summary>Arms the reminder that destroys previous secrets, due when the first overlap ends (at most every expiry check period).</summary>
    private async Task ForgetLaterAsync()
    {
        if (state.State.Processors.Values.Min(entry => entry.PreviousUntil) is not { } first)
        {
            return;
        }

        var (left, check) = (first - time.GetUtcNow(), sharing.Value.ExpiryCheckPeriod);
        await this.RegisterOrUpdateReminder(ForgetReminder, left <= TimeSpan.Zero ? TimeSpan.Zero : left < check ? left : check, check);
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
            ? new ProcessorDelivery(entry.View.Endpoint, entry.View.ErasureEndpoint, entry.Secret, entry.View.Contract, entry.View.Certificate,
                entry.PreviousUntil > time.GetUtcNow() ? entry.PreviousSecret : null)
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
/// <param name="PreviousSecret">The secret it replaced, kept only until <paramref name="PreviousUntil"/>.</param>
/// <param name="PreviousUntil">When the rotation's overlap ends and the previous secret is destroyed.</param>
public sealed record StoredProcessor(ProcessorView View, string Secret, string? PreviousSecret = null, DateTimeOffset? PreviousUntil = null);
