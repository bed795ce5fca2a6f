using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// The messages a request keeps until the silo's sender has delivered them (to a parent). A reminder of its own hands
/// them again every recheck period while any is left, so a message a crashed silo held still goes out.
/// </summary>
public sealed partial class PrivacyRequestGrain
{
    private const string OutboxReminder = "outbox";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // After a crash, or a move to another silo, no sender holds them any more.
        HandOutgoing();
        return Task.CompletedTask;
    }

    public async Task MessageHandledAsync(string messageId, bool delivered)
    {
        await UpdateAsync(_ => (state.State.Outgoing.RemoveAll(message => message.Id == messageId) > 0, true));
        if (state.State.Outgoing.Count == 0)
        {
            await DisarmOutboxAsync();
        }
    }

    /// <summary>Armed before the write that queues a message, so a crash right after that write cannot strand it.</summary>
    private async Task ArmOutboxAsync() => await this.RegisterOrUpdateReminder(OutboxReminder, outbox.RecheckPeriod, outbox.RecheckPeriod);

    private async Task RecheckOutgoingAsync()
    {
        var dropped = await UpdateAsync(now =>
        {
            var useless = OutgoingMessages.DropUseless(state.State.Outgoing, now);
            return (useless.Count > 0, useless);
        });
        outbox.Withdraw(dropped);
        if (state.State.Outgoing.Count == 0)
        {
            await DisarmOutboxAsync();
            return;
        }

        HandOutgoing();
    }

    private void HandOutgoing()
    {
        if (state.State.Outgoing.Count > 0)
        {
            outbox.Hand(this.GetGrainId(), state.State.Outgoing);
        }
    }

    private async Task DisarmOutboxAsync()
    {
        if (await this.GetReminder(OutboxReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
