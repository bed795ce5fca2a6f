using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// The silo's one sender of the messages grains keep. A grain persists a message, then hands it here without waiting;
/// it is delivered through <see cref="IOutbox"/> with retries and growing waits, a few at a time, and its owner is then
/// called back to forget it. Delivery is at least once: a crash between delivery and that call sends it again.
/// The queue is memory only: after a crash, owners hand their messages again on activation and from their reminders.
/// </summary>
public sealed partial class OutboxSender(
    IOutbox outbox,
    MessageSeal seal,
    IGrainFactory grains,
    PolicyClock clock,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILogger<OutboxSender> logger,
    OutboxQueueMetrics metrics) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>();

    // A message is here from its hand-over until its owner was told; handing it again meanwhile changes nothing.
    // Its size is the silo's outbox queue gauge.
    private readonly ConcurrentDictionary<string, Delivery> _pending = metrics.Watch(new ConcurrentDictionary<string, Delivery>(StringComparer.Ordinal));
    private readonly CancellationTokenSource _stopping = new();
    private Task _workers = Task.CompletedTask;
    private int _disposed;

    private OutboxOptions Options => options.Value;

    /// <summary>How often owners hand undelivered messages again (their reminder's period).</summary>
    public TimeSpan RecheckPeriod => Options.RecheckPeriod;

    /// <summary>How long a notice without a code stays worth sending.</summary>
    public TimeSpan NoticeLifetime => Options.NoticeLifetime;

    /// <summary>When an owner queuing a message now is next due to hand it again (real time, as a reminder's period).</summary>
    public DateTimeOffset NextRecheck() => time.GetUtcNow() + RecheckPeriod;

    /// <summary>Messages handed and not yet reported to their owner (for tests and diagnostics).</summary>
    internal int PendingCount => _pending.Count;

    /// <summary>Seals <paramref name="message"/> under <paramref name="owner"/>'s data key into a fresh entry for its state; sends nothing yet.</summary>
    /// <param name="owner">The grain that keeps the message (its key seals it).</param>
    /// <param name="message">What to send.</param>
    /// <param name="dropAfter">When it becomes pointless.</param>
    /// <param name="topic">Messages of a topic replace each other.</param>
    /// <param name="campaign">The notice campaign it announces: its owner reports it delivered or failed.</param>
    public async Task<QueuedMessage> PrepareAsync(GrainId owner, OutboxMessage message, DateTimeOffset dropAfter, string? topic = null, string? campaign = null)
    {
        var id = Guid.NewGuid().ToString("N");
        return new QueuedMessage(id, await seal.SealAsync(owner, id, message), topic, dropAfter, clock.GetUtcNow() + RecheckPeriod, campaign);
    }

    /// <summary>
    /// An erased owner's messages: those still queued here are withdrawn, and every copy the transport keeps of the
    /// owner's messages (the file outbox's files) is destroyed now. One on the wire meanwhile is destroyed once written.
    /// </summary>
    public async Task DestroyCopiesAsync(GrainId owner, IEnumerable<string> queuedIds)
    {
        Withdraw(queuedIds);
        await outbox.DestroyCopiesAsync(owner);
    }

    /// <summary>Hands the copies the transport keeps of <paramref name="previous"/>'s messages to <paramref name="heir"/> (see <see cref="IOutbox.AdoptCopiesAsync"/>).</summary>
    public Task AdoptCopiesAsync(GrainId previous, GrainId heir) => outbox.AdoptCopiesAsync(previous, heir);

    /// <summary>Queues persisted messages of <paramref name="owner"/> for delivery; returns at once. Messages already queued are skipped.</summary>
    public void Hand(GrainId owner, IEnumerable<QueuedMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            var delivery = new Delivery(owner, message);
            if (_pending.TryAdd(message.Id, delivery) && !_queue.Writer.TryWrite(delivery))
            {
                // Stopping: the owner keeps the message and hands it again elsewhere.
                _pending.TryRemove(KeyValuePair.Create(message.Id, delivery));
            }
        }
    }

    /// <summary>
    /// Queues a message kept outside its owner's state (a notice row's email) for delivery, like <see cref="Hand(GrainId, IEnumerable{QueuedMessage})"/>;
    /// <paramref name="handled"/> is told its fate instead of the owner, and is retried like the owner's call if it fails.
    /// </summary>
    public void Hand(GrainId owner, QueuedMessage message, Func<MessageFate, Task> handled)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(handled);
        var delivery = new Delivery(owner, message) { Settled = handled };
        if (_pending.TryAdd(message.Id, delivery) && !_queue.Writer.TryWrite(delivery))
        {
            // Stopping: the row stays pending and another silo's drain claims it.
            _pending.TryRemove(KeyValuePair.Create(message.Id, delivery));
        }
    }

    /// <summary>Gives up messages their owner no longer wants sent (replaced, erased); one already on the wire may still arrive.</summary>
    public void Withdraw(IEnumerable<string> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        foreach (var id in messageIds)
        {
            _pending.TryRemove(id, out _);
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OutboxSender), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // A killed silo's host is disposed without a graceful stop: its sender must not live on.
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        _stopping.Dispose();
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var stopping = _stopping.Token;
        _workers = Task.WhenAll(Enumerable.Range(0, Math.Max(1, Options.MaxConcurrentSends)).Select(_ => Task.Run(() => WorkAsync(stopping), CancellationToken.None)));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _queue.Writer.TryComplete();
        try
        {
            await _workers.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // An ungraceful stop does not wait: what was not reported stays in its owner's state.
        }
    }

    private async Task WorkAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stopping))
            {
                if (IsWanted(delivery))
                {
                    await DeliverAsync(delivery, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken stopping)
    {
        if (!delivery.Handled)
        {
            if (delivery.Message.DropAfter <= clock.GetUtcNow())
            {
                LogDropped(logger);
            }
            else
            {
                try
                {
                    if (await seal.OpenAsync(delivery.Owner, delivery.Message) is { } message)
                    {
                        await outbox.SendAsync(message, new MessageOrigin(delivery.Owner, delivery.Message.Id), stopping);
                        delivery.Delivered = true;
                    }
                    else
                    {
                        // Its owner's key was destroyed: the owner was erased, and so was the message.
                        LogErased(logger);
                    }
                }
                catch (Exception exception) when (exception is CryptographicException or FormatException)
                {
                    // Altered, moved, or sealed by an earlier version under another Privacy:PseudonymKey: it can never be sent.
                    LogUnreadable(logger);
                }
                catch (Exception exception) when (!stopping.IsCancellationRequested)
                {
                    // The type only: transport errors may quote the recipient.
                    RetryLater(delivery, exception.GetType().Name, delivered: false);
                    return;
                }
            }

            delivery.Handled = true;
            delivery.Failures = 0;
            if (delivery.Delivered && !IsWanted(delivery))
            {
                // Withdrawn while it was being written (its owner was erased): no copy of it may stay behind.
                await DestroyQuietlyAsync(delivery);
                return;
            }
        }

        // Not awaited here: an owner busy with a long turn must not hold up everybody else's mail.
        _ = TellOwnerAsync(delivery, stopping);
    }

    private async Task TellOwnerAsync(Delivery delivery, CancellationToken stopping)
    {
        try
        {
            await (delivery.Settled is { } settled
                ? settled(delivery.Delivered ? MessageFate.Delivered : MessageFate.Undelivered)
                : grains.GetGrain<IOutboxOwner>(delivery.Owner).MessageHandledAsync(delivery.Message.Id, delivery.Delivered));
        }
        catch (Exception exception)
        {
            // Stopping: the owner keeps the message and it is sent again elsewhere (at least once).
            if (!stopping.IsCancellationRequested)
            {
                RetryLater(delivery, exception.GetType().Name, delivered: true);
            }

            return;
        }

        _pending.TryRemove(KeyValuePair.Create(delivery.Message.Id, delivery));
    }

    private void RetryLater(Delivery delivery, string failure, bool delivered)
    {
        delivery.Failures++;
        var delay = Backoff(delivery.Failures);
        LogRetrying(logger, delivered ? "telling its owner" : "delivery", failure, delivery.Failures, delay);
        _ = RequeueAsync(delivery, delay);
    }

    private async Task RequeueAsync(Delivery delivery, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, _stopping.Token);
        }
        catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        if (IsWanted(delivery))
        {
            _queue.Writer.TryWrite(delivery);
        }
    }

    private async Task DestroyQuietlyAsync(Delivery delivery)
    {
        try
        {
            await outbox.DestroyCopiesAsync(delivery.Owner, delivery.Message.Id);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The file's lifetime still ends it.
            LogNotDestroyed(logger, exception.GetType().Name);
        }
    }

    /// <summary><see cref="OutboxOptions.RetryDelay"/>, doubled per further failure, at most <see cref="OutboxOptions.MaxRetryDelay"/>.</summary>
    private TimeSpan Backoff(int failures)
    {
        var initial = Options.RetryDelay;
        var max = Options.MaxRetryDelay;
        var grown = initial.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return grown >= max.Ticks ? max : TimeSpan.FromTicks((long)grown);
    }

    private bool IsWanted(Delivery delivery) =>
        _pending.TryGetValue(delivery.Message.Id, out var current) && ReferenceEquals(current, delivery);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: {Step} failed ({ExceptionType}), attempt {Attempt}; retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string step, string exceptionType, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox: a message was dropped unsent, it is no longer useful (its code expired, or its notice outlived its lifetime)")]
    private static partial void LogDropped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: the copy of a withdrawn message could not be destroyed ({ExceptionType}); its lifetime ends it")]
    private static partial void LogNotDestroyed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox: a message was dropped unsent, its owner's key was destroyed (erased)")]
    private static partial void LogErased(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox: a message could not be opened (altered, or sealed by an earlier version under another Privacy:PseudonymKey) and was dropped")]
    private static partial void LogUnreadable(ILogger logger);

    /// <summary>One message on its way; touched by one worker at a time (it is either queued, being worked on, or waiting to retry).</summary>
    private sealed class Delivery(GrainId owner, QueuedMessage message)
    {
        public GrainId Owner { get; } = owner;

        public QueuedMessage Message { get; } = message;

        /// <summary>Delivered or dropped: only telling the owner is left.</summary>
        public bool Handled { get; set; }

        /// <summary>Handled by delivering it (not by dropping it).</summary>
        public bool Delivered { get; set; }

        public int Failures { get; set; }

        /// <summary>Told of the fate instead of the owner (a message kept outside its owner's state).</summary>
        public Func<MessageFate, Task>? Settled { get; init; }
    }
}
