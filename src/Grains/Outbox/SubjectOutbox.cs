using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Outbox;

/// <summary>The stored part of a grain that keeps messages until the silo's sender has delivered them.</summary>
public interface IOutboxState
{
    /// <summary>Messages not yet delivered, oldest first; at most <see cref="QueuedMessage.MaxPerOwner"/>.</summary>
    List<QueuedMessage> Outgoing { get; }
}

/// <summary>How a message left an owner's outbox.</summary>
public enum MessageFate
{
    /// <summary>The sender delivered it.</summary>
    Delivered,

    /// <summary>Dropped unsent: pointless by now, or unreadable.</summary>
    Undelivered,

    /// <summary>Pushed out by a newer message (the outbox is full of campaign messages).</summary>
    Displaced,
}

/// <summary>
/// The outbox-owner steps every grain that sends mail repeats: a message is queued in the same state write that decides
/// to send it, handed to the silo's <see cref="OutboxSender"/> after that write (and again on activation and from the
/// owner's reminder, so a crash strands nothing), and forgotten when the sender reports it handled. The reminder is armed
/// before the write that queues, and removed once the owner is idle. <paramref name="settled"/> hears, inside the write,
/// of every message that leaves (a campaign's email must never be dropped silently).
/// </summary>
/// <param name="state">The owner's state.</param>
/// <param name="sender">The silo's sender.</param>
/// <param name="host">The owning activation.</param>
/// <param name="busy">Whether the owner still needs its reminder (default: while any message is kept).</param>
/// <param name="settled">Told of each message leaving the outbox, inside the write that removes it.</param>
/// <param name="marks">
/// When given, the owner is armed by a batched mark that the silo's <see cref="OutboxSweep"/> watches, instead of a
/// reminder of its own (the owner then answers <see cref="IOutboxRecheck"/>).
/// </param>
public sealed class SubjectOutbox<TState>(
    IPersistentState<TState> state,
    OutboxSender sender,
    ISubjectHost host,
    Func<TState, bool>? busy = null,
    Action<TState, QueuedMessage, MessageFate>? settled = null,
    IOutboxMarks? marks = null)
    where TState : IOutboxState
{
    /// <summary>The owner's reminder that hands undelivered messages again.</summary>
    public const string Reminder = "outbox";

    private readonly Func<TState, bool> _busy = busy ?? (current => current.Outgoing.Count > 0);

    /// <summary>How long a notice without a code stays worth sending.</summary>
    public TimeSpan NoticeLifetime => sender.NoticeLifetime;

    /// <summary>How often undelivered messages are handed again.</summary>
    public TimeSpan RecheckPeriod => sender.RecheckPeriod;

    /// <summary>Seals <paramref name="message"/> under the owner's data key into an entry for the state; nothing is sent yet.</summary>
    public Task<QueuedMessage> PrepareAsync(OutboxMessage message, DateTimeOffset dropAfter, string? topic = null, string? campaign = null) =>
        sender.PrepareAsync(host.Id, message, dropAfter, topic, campaign);

    /// <summary>
    /// Inside a state write: keeps <paramref name="message"/>, replacing any of its topic and the oldest beyond the cap
    /// (each settled as displaced). Returns the ids removed, for <see cref="Send"/> after the write.
    /// </summary>
    public List<string> Queue(TState current, QueuedMessage message)
    {
        ArgumentNullException.ThrowIfNull(current);
        var before = current.Outgoing.ToList();
        var displaced = OutgoingMessages.Add(current.Outgoing, message);
        foreach (var gone in before.Where(queued => displaced.Contains(queued.Id)))
        {
            settled?.Invoke(current, gone, MessageFate.Displaced);
        }

        return displaced;
    }

    /// <summary>After the write: what it displaced is withdrawn and what it queued (<c>null</c>: nothing) is handed to the sender.</summary>
    public void Send(IEnumerable<string> displaced, QueuedMessage? queued)
    {
        sender.Withdraw(displaced);
        if (queued is not null)
        {
            sender.Hand(host.Id, [queued]);
        }
    }

    /// <summary>After a crash, or a move to another silo, no sender holds the undelivered messages any more.</summary>
    public void HandAll()
    {
        if (state.State.Outgoing.Count > 0)
        {
            sender.Hand(host.Id, state.State.Outgoing);
        }
    }

    /// <summary>Gives up messages the owner no longer wants sent.</summary>
    public void Withdraw(IEnumerable<string> messageIds) => sender.Withdraw(messageIds);

    /// <summary>An erasure: the queued messages are withdrawn and every copy the transport keeps of the owner's messages destroyed.</summary>
    public Task DestroyCopiesAsync(IEnumerable<string>? queued = null) =>
        sender.DestroyCopiesAsync(host.Id, queued ?? [.. state.State.Outgoing.Select(message => message.Id)]);

    /// <summary>Takes over the copies the transport keeps of <paramref name="previous"/>'s messages, so this owner's erasure destroys them too.</summary>
    public Task AdoptCopiesAsync(GrainId previous) => sender.AdoptCopiesAsync(previous, host.Id);

    /// <summary>Armed before the write that queues a message (unless the owner is busy, so already armed), so a crash cannot strand it.</summary>
    public async Task ArmAsync(bool force = false)
    {
        if (!force && _busy(state.State))
        {
            return;
        }

        await (marks is null
            ? host.RegisterReminderAsync(Reminder, RecheckPeriod, RecheckPeriod)
            : marks.MarkAsync(host.Region, host.Id, sender.NextRecheck()));
    }

    /// <summary>Removes the reminder (or the mark) once the owner is idle.</summary>
    public async Task DisarmWhenIdleAsync()
    {
        if (!_busy(state.State))
        {
            await (marks is null ? host.UnregisterReminderAsync(Reminder) : marks.UnmarkAsync(host.Region, host.Id));
        }
    }

    /// <summary>The sender handled <paramref name="messageId"/>: it is forgotten (and settled) in one write; nothing if it already was.</summary>
    public Task HandledAsync(string messageId, bool delivered) => state.UpdateAsync(
        () =>
        {
            var current = state.State;
            if (current.Outgoing.Find(message => message.Id == messageId) is not { } handled)
            {
                return (false, true);
            }

            current.Outgoing.Remove(handled);
            settled?.Invoke(current, handled, delivered ? MessageFate.Delivered : MessageFate.Undelivered);
            return (true, true);
        },
        host.DeactivateOnIdle);

    /// <summary>Drops (and settles) the messages that became pointless by now, in one write, and withdraws them.</summary>
    public async Task DropUselessAsync(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var dropped = await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                var useless = current.Outgoing.Where(message => message.DropAfter <= time.GetUtcNow()).ToList();
                foreach (var message in useless)
                {
                    current.Outgoing.Remove(message);
                    settled?.Invoke(current, message, MessageFate.Undelivered);
                }

                return (useless.Count > 0, useless.Select(message => message.Id).ToList());
            },
            host.DeactivateOnIdle);
        sender.Withdraw(dropped);
    }

    /// <summary>The reminder's tick: pointless messages go, the rest are handed again; idle, the reminder goes too.</summary>
    public async Task RecheckAsync(TimeProvider time)
    {
        await DropUselessAsync(time);
        await DisarmWhenIdleAsync();
        HandAll();
    }
}
