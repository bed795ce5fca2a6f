namespace PrimeDirective.Grains.Users;

/// <summary>The messages an email index entry keeps until the silo's sender has delivered them.</summary>
public sealed partial class EmailIndexGrain
{
    /// <summary>The topic of code messages: a new code makes an undelivered older one pointless.</summary>
    private const string CodeTopic = "code";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // After a crash, or a move to another silo, no sender holds them any more.
        HandOutgoing();
        return Task.CompletedTask;
    }

    public async Task MessageHandledAsync(string messageId, bool delivered) =>
        await UpdateAsync(() => (state.State.Outgoing.RemoveAll(message => message.Id == messageId) > 0, true));

    private void HandOutgoing()
    {
        if (state.State.Outgoing.Count > 0)
        {
            outbox.Hand(this.GetGrainId(), state.State.Outgoing);
        }
    }
}
