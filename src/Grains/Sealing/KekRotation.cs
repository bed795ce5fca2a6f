using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Sealing;

/// <summary><c>Keys:*</c>: the bound on key-encryption keys and the pace of the background re-wrap.</summary>
public sealed class KekRotationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Keys";

    /// <summary>How long after it stops being active a KEK version is destroyed (a key-store backup older than this opens nothing).</summary>
    public TimeSpan KekMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Data keys re-wrapped per transaction.</summary>
    public int RewrapBatchSize { get; set; } = 500;

    /// <summary>The pause between two batches while keys remain: the throttle that leaves the key store to ingest.</summary>
    public TimeSpan RewrapPause { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a silo looks for keys to re-wrap and versions due for destruction once nothing remains.</summary>
    public TimeSpan RewrapInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The rotation of the key-encryption keys. At start it records the configured active version (the one before stops
/// being active then) and refuses to start while live keys have only a destroyed or missing version to open them; in
/// the background it re-wraps every key under the active version, a batch at a time, and destroys each version
/// <see cref="KekRotationOptions.KekMaxAge"/> after it stopped (by the policy clock), draining what it still wraps first.
/// Progress lives in the key store's rows, so a crash resumes where the last committed batch ended.
/// </summary>
public sealed partial class KekRotation(
    IKekRows rows, KeyEncryptionKeys keks, PolicyClock clock, IOptions<KekRotationOptions> options, ILogger<KekRotation> logger)
{
    /// <summary>Records the active version, destroys the versions past their age and checks every live key can be opened.</summary>
    public async Task StartAsync()
    {
        var history = await rows.RecordActiveAsync(keks.Active, keks.Versions, clock.GetUtcNow());
        await DestroyDueAsync(history);
        var unopenable = (await rows.CountByVersionAsync()).Where(count => count.Value > 0 && !keks.CanUnwrap(count.Key)).ToList();
        if (unopenable.Count > 0)
        {
            var (version, keys) = unopenable[0];
            throw new InvalidOperationException(
                $"{keys} live data key(s) are wrapped by KEK version {version}, which is "
                + (keks.IsDestroyed(version) ? "destroyed (Keys:KekMaxAge after it stopped being active)" : "not configured (KeyStore:Keks)")
                + ": the service will not start with no way to open them. Configure that version and raise Keys:KekMaxAge until the re-wrap is done.");
        }
    }

    /// <summary>One pass: destroys the versions due, then re-wraps one batch; answers how many keys it re-wrapped.</summary>
    public async Task<int> RunOnceAsync()
    {
        var history = await rows.HistoryAsync();
        if (history.SingleOrDefault(record => record.DeactivatedAt is null)?.Version != keks.Active)
        {
            // A silo still configured with the previous active version during a rolling change: it leaves the re-wrap to the new ones.
            return 0;
        }

        await DestroyDueAsync(history);
        return await RewrapBatchAsync();
    }

    /// <summary>The rotation's progress: versions, their live keys and their dates.</summary>
    public async Task<KekRotationStatus> StatusAsync()
    {
        var history = await rows.HistoryAsync();
        var counts = await rows.CountByVersionAsync();
        var maxAge = options.Value.KekMaxAge;
        var versions = history.Select(record => record.Version).Union(counts.Keys).Order().Select(version =>
        {
            var record = history.FirstOrDefault(known => known.Version == version);
            return new KekVersionStatus(
                version, counts.GetValueOrDefault(version), record?.ActivatedAt, record?.DeactivatedAt, record?.DeactivatedAt + maxAge, record?.DestroyedAt);
        });
        return new KekRotationStatus(keks.Active, counts.Where(count => count.Key != keks.Active).Sum(count => count.Value), maxAge, [.. versions]);
    }

    private async Task<int> RewrapBatchAsync(params int[] only)
    {
        var from = (only.Length > 0 ? only : keks.Versions.Where(version => version != keks.Active)).ToArray();
        return from.Length == 0 ? 0 : await rows.RewrapAsync(from, keks.Active, options.Value.RewrapBatchSize, keks.Rewrap);
    }

    private async Task DestroyDueAsync(IReadOnlyList<KekVersionRecord> history)
    {
        var now = clock.GetUtcNow();
        foreach (var record in history.Where(record => record.Version != keks.Active && record.DeactivatedAt + options.Value.KekMaxAge <= now))
        {
            if (keks.CanUnwrap(record.Version))
            {
                // The deadline is not a reason to lose a key: what the throttled re-wrap left under this version goes now.
                int drained;
                do
                {
                    drained = await RewrapBatchAsync(record.Version);
                }
                while (drained > 0);

                keks.Destroy(record.Version);
                LogDestroyed(logger, record.Version);
            }
            else if (!keks.IsDestroyed(record.Version))
            {
                keks.Destroy(record.Version);
            }

            if (record.DestroyedAt is null)
            {
                await rows.MarkDestroyedAsync(record.Version, now);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "KEK version {Version} destroyed: its maximum age after rotation is over")]
    private static partial void LogDestroyed(ILogger logger, int version);
}

/// <summary>Runs the <see cref="KekRotation"/> on every silo: the start check before grains run, then the re-wrap loop while the silo is active.</summary>
internal sealed partial class KekRotationLoop(KekRotation rotation, IOptions<KekRotationOptions> options, ILogger<KekRotationLoop> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle)
    {
        // After the key store's schema (First), before anything that reads keys (RuntimeInitialize).
        lifecycle.Subscribe(nameof(KekRotationLoop), ServiceLifecycleStage.RuntimeInitialize - 1, _ => rotation.StartAsync());
        lifecycle.Subscribe(nameof(KekRotationLoop), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var stopping = _stopping.Token;
        _running = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var pause = options.Value.RewrapInterval;
            try
            {
                if (await rotation.RunOnceAsync() >= options.Value.RewrapBatchSize)
                {
                    pause = options.Value.RewrapPause;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The type only; the rows say where the re-wrap stands and the next pass resumes there.
                LogFailed(logger, exception.GetType().Name);
            }

            try
            {
                await Task.Delay(pause, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "KEK re-wrap pass failed ({Error}); the next one resumes")]
    private static partial void LogFailed(ILogger logger, string error);
}

/// <summary>Answers the KEK rotation's progress from whichever silo activates it.</summary>
[Orleans.Concurrency.StatelessWorker]
internal sealed class KekRotationGrain(KekRotation rotation) : Grain, IKekRotationGrain
{
    public Task<KekRotationStatus> StatusAsync() => rotation.StatusAsync();
}
