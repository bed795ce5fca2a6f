using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// A disclosure's package: personal data with a retention of its own. Pushed to a processor and retried by reminder
/// until acknowledged (then emptied), or served at a capability URL until it expires (then its row is deleted).
/// </summary>
[RegionPlacement]
public sealed partial class DisclosurePackageGrain(
    [PersistentState("package", StorageNames.Subjects)] IPersistentState<DisclosurePackageState> state,
    PolicyClock time,
    SharingHttp http,
    IOptions<SharingOptions> options,
    IOptions<RegionOptions> regions,
    ILogger<DisclosurePackageGrain> logger) : Grain, IDisclosurePackageGrain, IRemindable
{
    private const string Reminder = "package";

    private string Key => this.GetPrimaryKeyString();

    public async Task CreateAsync(DisclosurePackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var created = await state.UpdateAsync(
            () =>
            {
                if (state.State.DisclosureId is not null)
                {
                    return (false, false);
                }

                state.State.DisclosureId = package.DisclosureId;
                state.State.Json = package.Json;
                state.State.ProcessorId = package.ProcessorId;
                state.State.ExpiresAt = package.ExpiresAt;
                return (true, true);
            },
            DeactivateOnIdle);
        if (!created)
        {
            return;
        }

        await ArmAsync();
    }

    /// <summary>A push is tried at once and every retry period; a capability package is looked at by its expiry, at least every check period.</summary>
    private async Task ArmAsync()
    {
        if (state.State.ProcessorId is not null)
        {
            await this.RegisterOrUpdateReminder(Reminder, TimeSpan.Zero, options.Value.RetryPeriod);
            return;
        }

        var left = (state.State.ExpiresAt ?? time.GetUtcNow()) - time.GetUtcNow();
        var check = options.Value.ExpiryCheckPeriod;
        await this.RegisterOrUpdateReminder(Reminder, left <= TimeSpan.Zero ? TimeSpan.Zero : left < check ? left : check, check);
    }

    public Task<string?> ReadAsync() => Task.FromResult(
        state.State is { Json: { } json, ProcessorId: null, ExpiresAt: { } expires } && time.GetUtcNow() < expires ? json : null);

    public Task<PackageStatus?> GetStatusAsync() => Task.FromResult(
        state.State.DisclosureId is null ? null : new PackageStatus(state.State.Attempts, state.State.DeliveredAt, state.State.ExpiresAt));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.DisclosureId is null)
        {
            await StopRemindingAsync();
            return;
        }

        if (state.State.ProcessorId is { } processorId)
        {
            await PushAsync(processorId);
        }
        else if (state.State.ExpiresAt is { } expires && time.GetUtcNow() >= expires)
        {
            await DestroyAsync();
        }
    }

    private async Task PushAsync(string processorId)
    {
        if (state.State.Json is not { } json)
        {
            await StopRemindingAsync();
            return;
        }

        var delivery = await GrainFactory.GetGrain<IProcessorRegistryGrain>(SharingKeys.Registry(regions.Value.Home)).GetDeliveryAsync(processorId);
        var answered = delivery is null
            ? null
            : await http.PostSignedAsync(
                delivery.Endpoint,
                Encoding.UTF8.GetBytes(json),
                Signatures.PackageHeader,
                delivery.Secret,
                new Dictionary<string, string> { ["X-PrimeDirective-Disclosure"] = state.State.DisclosureId! });
        var acknowledged = answered is >= 200 and < 300;
        await state.UpdateAsync(
            () =>
            {
                state.State.Attempts++;
                if (acknowledged)
                {
                    // Delivered: our copy of the package has no purpose left.
                    state.State.Json = null;
                    state.State.DeliveredAt = time.GetUtcNow();
                }

                return (true, true);
            },
            DeactivateOnIdle);
        LogPush(logger, Key, state.State.Attempts, answered ?? 0);
        if (acknowledged)
        {
            await StopRemindingAsync();
        }
    }

    private async Task DestroyAsync()
    {
        if (await state.DeleteAsync(() => state.RecordExists, DeactivateOnIdle) || !state.RecordExists)
        {
            await StopRemindingAsync();
            LogDestroyed(logger, Key);
            DeactivateOnIdle();
        }
    }

    private async Task StopRemindingAsync()
    {
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {GrainKey} push attempt {Attempt} answered {Status}")]
    private static partial void LogPush(ILogger logger, string grainKey, int attempt, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {GrainKey} expired and destroyed")]
    private static partial void LogDestroyed(ILogger logger, string grainKey);
}

/// <summary>A package's stored state, in its subject's region.</summary>
public sealed class DisclosurePackageState
{
    public string? DisclosureId { get; set; }

    /// <summary>The package itself: the subject's data of the disclosed categories.</summary>
    [PersonalData]
    public string? Json { get; set; }

    /// <summary>The processor it is pushed to; <c>null</c> for a capability package.</summary>
    public string? ProcessorId { get; set; }

    /// <summary>When a capability package stops being served and is destroyed.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
