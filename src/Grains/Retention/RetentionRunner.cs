using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Privacy;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// The silo's queue of due retention work. A reminder tick queues its subject and returns at once; a few workers run the
/// queued subjects' retention one call each, so however many reminders come due together, at most
/// <see cref="RetentionOptions.MaxConcurrentRuns"/> destructions run at once and none waits inside a tick under the
/// tick's response timeout. Nothing here is durable and nothing needs to be: the subject's reminder stays registered
/// until its run re-arms or removes it, so work lost with the silo is delivered again one retry period later.
/// </summary>
public sealed partial class RetentionRunner : IAsyncDisposable
{
    private readonly Channel<GrainId> _queue = Channel.CreateUnbounded<GrainId>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Dictionary<GrainId, Stage> _waiting = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task[]> _workers;
    private readonly IGrainFactory _grains;
    private readonly ILogger<RetentionRunner> _logger;
    private int _running;
    private long _completed;
    private int _mostRunning;

    /// <summary>Creates the queue; its workers start with the first subject queued.</summary>
    public RetentionRunner(IGrainFactory grains, IOptions<RetentionOptions> options, ILogger<RetentionRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _grains = grains;
        _logger = logger;
        var workers = Math.Max(1, options.Value.MaxConcurrentRuns);
        _workers = new Lazy<Task[]>(() => [.. Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync))]);
    }

    /// <summary>Subjects queued or running now.</summary>
    public int Pending
    {
        get
        {
            lock (_waiting)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Runs finished (whatever their outcome) since the silo started.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>The most runs that were ever in flight at once (what the bound promises to keep at or under its limit).</summary>
    public int MostRunning => Volatile.Read(ref _mostRunning);

    /// <summary>
    /// Queues <paramref name="subject"/>'s retention run, unless it is already queued; a subject whose run is under way
    /// runs once more after it (the tick may be for a due time the run has already looked past).
    /// </summary>
    public void Enqueue(GrainId subject)
    {
        lock (_waiting)
        {
            if (_waiting.TryGetValue(subject, out var stage))
            {
                if (stage == Stage.Running)
                {
                    _waiting[subject] = Stage.RunAgain;
                }

                return;
            }

            if (!_queue.Writer.TryWrite(subject))
            {
                // The silo is stopping: the reminder delivers the work again after the restart.
                return;
            }

            _waiting[subject] = Stage.Queued;
        }

        _ = _workers.Value;
    }

    public async ValueTask DisposeAsync()
    {
        // What is still queued is dropped, not run against a stopping silo: its reminders deliver it again.
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_workers.IsValueCreated)
        {
            await Task.WhenAll(_workers.Value);
        }

        _stopping.Dispose();
    }

    private async Task WorkAsync()
    {
        try
        {
            await WorkUntilStoppedAsync();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task WorkUntilStoppedAsync()
    {
        await foreach (var subject in _queue.Reader.ReadAllAsync(_stopping.Token))
        {
            lock (_waiting)
            {
                _waiting[subject] = Stage.Running;
            }

            var running = Interlocked.Increment(ref _running);
            for (var most = MostRunning; running > most && Interlocked.CompareExchange(ref _mostRunning, running, most) != most; most = MostRunning)
            {
            }

            try
            {
                await _grains.GetGrain<IRetentionSubject>(subject).RunRetentionAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The key is pseudonymous; the type only, as messages may carry values. The reminder delivers the work again.
                LogFailed(_logger, subject.Key.ToString(), exception.GetType().Name);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                Interlocked.Increment(ref _completed);
                lock (_waiting)
                {
                    if (_waiting[subject] == Stage.RunAgain && _queue.Writer.TryWrite(subject))
                    {
                        _waiting[subject] = Stage.Queued;
                    }
                    else
                    {
                        _waiting.Remove(subject);
                    }
                }
            }
        }
    }

    private enum Stage
    {
        Queued,
        Running,
        RunAgain,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention of {GrainKey} failed ({ExceptionType}); its reminder will deliver it again")]
    private static partial void LogFailed(ILogger logger, string grainKey, string exceptionType);
}
