using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// The messages a request keeps until the silo's sender has delivered them (to a parent): the shared
/// <see cref="SubjectOutbox{TState}"/>, whose reminder hands them again every recheck period while any is left.
/// </summary>
public sealed partial class PrivacyRequestGrain
{
    private const string OutboxReminder = SubjectOutbox<PrivacyRequestState>.Reminder;

    private SubjectOutbox<PrivacyRequestState> Outgoing => field ??= new(state, outbox, new GrainHost(GrainContext));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // After a crash, or a move to another silo, no sender holds them any more.
        Outgoing.HandAll();
        return Task.CompletedTask;
    }

    public async Task MessageHandledAsync(string messageId, bool delivered)
    {
        await Outgoing.HandledAsync(messageId, delivered);
        await Outgoing.DisarmWhenIdleAsync();
    }

    /// <summary>Armed before the write that queues a message, so a crash right after that write cannot strand it.</summary>
    private Task ArmOutboxAsync() => Outgoing.ArmAsync(force: true);

    private Task RecheckOutgoingAsync() => Outgoing.RecheckAsync(time);
}
