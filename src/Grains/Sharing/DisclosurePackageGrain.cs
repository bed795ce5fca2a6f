using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// A disclosure's package: personal data with a retention of its own. Pushed to a processor (first at once on a timer,
/// then retried by reminder) until acknowledged (then emptied), while its subject's data may still leave and the
/// processor's contract holds, for at most <c>Sharing:PushLifetime</c>; or served at a capability URL until it expires.
/// Otherwise its row is deleted, and its subject's erasure deletes it too.
/// </summary>
[RegionPlacement]
public sealed partial class DisclosurePackageGrain(
    [PersistentState("package", StorageNames.Subjects)] IPersistentState<DisclosurePackageState> state,
    PolicyClock time,
    ProcessorChannel processors,
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
                state.State.Subject = package.Subject;
                state.State.GiveUpAt = package.GiveUpAt;
                return (true, true);
            },
            DeactivateOnIdle);
        if (!created)
        {
            return;
        }

        await ArmAsync();
    }

    /// <summary>
    /// A push is tried at once on a one-shot timer, and by the reminder every retry period after (a reminder registered due
    /// now first fires a whole period later); a capability package is looked at by its expiry, at least every check period.
    /// </summary>
    private async Task ArmAsync()
    {
        if (state.State.ProcessorId is not null)
        {
            var retry = processors.Options.RetryPeriod;
            await this.RegisterOrUpdateReminder(Reminder, retry, retry);
            this.RegisterGrainTimer(FirstPushAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            return;
        }

        var left = (state.State.ExpiresAt ?? time.GetUtcNow()) - time.GetUtcNow();
        var check = processors.Options.ExpiryCheckPeriod;
        await this.RegisterOrUpdateReminder(Reminder, left <= TimeSpan.Zero ? TimeSpan.Zero : left < check ? left : check, check);
    }

    private async Task FirstPushAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (state.State.ProcessorId is { } processorId)
            {
                await PushAsync(processorId);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The reminder retries; the type only, as messages may carry values.
            LogFirstPushFailed(logger, Key, exception.GetType().Name);
        }
    }

    public Task<string?> ReadAsync() => Task.FromResult(
        state.State is { Json: { } json, ProcessorId: null, ExpiresAt: { } expires } && time.GetUtcNow() < expires ? json : null);

    public Task<PackageStatus?> GetStatusAsync() => Task.FromResult(
        state.State.DisclosureId is null ? null : new PackageStatus(state.State.Attempts, state.State.DeliveredAt, state.State.ExpiresAt));

    public Task<ImmutableDictionary<DataCategory, int>?> PreviewDestructionAsync() =>
        Task.FromResult(state.State.Json is { } json ? DisclosureDesk.ItemsIn(json) : null);

    public async Task<ImmutableDictionary<DataCategory, int>?> DestroyForErasureAsync(string requestId)
    {
        var held = state.State.Json is { } json ? DisclosureDesk.ItemsIn(json) : null;
        await DestroyAsync("erasure");
        return held;
    }

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
            await DestroyAsync("expiry");
        }
    }

    private async Task PushAsync(string processorId)
    {
        if (state.State.Json is not { } json)
        {
            await StopRemindingAsync();
            return;
        }

        // Asked again before every attempt: the data leaves only while it still may, to a processor still under contract.
        var delivery = await processors.DeliveryAsync(processorId);
        var now = time.GetUtcNow();
        var giveUpAt = state.State.GiveUpAt ?? now + processors.Options.PushLifetime;
        var stop = now >= giveUpAt ? "lifetime-over"
            : delivery is null ? "processor-unknown"
            : delivery.Contract is { } contract && !contract.IsCurrentAt(now) ? "contract-not-current"
            : state.State.Subject is { } subject && !await GrainFactory.GetGrain<IDisclosureSubject>(GrainId.Parse(subject, CultureInfo.InvariantCulture)).StillDisclosableAsync() ? "subject-closed"
            : null;
        if (stop is not null)
        {
            await DestroyAsync(stop);
            return;
        }

        var answered = await processors.PostAsync(
            delivery!, json, Signatures.PackageHeader,
            new Dictionary<string, string> { ["X-PrimeDirective-Disclosure"] = state.State.DisclosureId! });
        var acknowledged = answered is >= 200 and < 300;
        await state.UpdateAsync(
            () =>
            {
                state.State.Attempts++;
                state.State.GiveUpAt ??= giveUpAt;
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

    /// <summary>Deletes the package's row and its reminder: expired, given up, no longer allowed to leave, or erased with its subject.</summary>
    private async Task DestroyAsync(string why)
    {
        var existed = state.RecordExists;
        if (await state.DeleteAsync(() => state.RecordExists, DeactivateOnIdle) || !state.RecordExists)
        {
            await StopRemindingAsync();
            if (existed)
            {
                LogDestroyed(logger, Key, why);
            }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Package {GrainKey} destroyed: {Why}")]
    private static partial void LogDestroyed(ILogger logger, string grainKey, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Package {GrainKey}: the first push attempt failed ({ExceptionType}); its reminder retries")]
    private static partial void LogFirstPushFailed(ILogger logger, string grainKey, string exceptionType);
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

    /// <summary>The subject's grain id (its key is pseudonymous); <c>null</c> for packages made before it was kept.</summary>
    public string? Subject { get; set; }

    /// <summary>When an unacknowledged push is given up and destroyed; set at the first attempt for packages made before it was kept.</summary>
    public DateTimeOffset? GiveUpAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }
}
