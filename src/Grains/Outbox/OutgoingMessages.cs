namespace PrimeDirective.Grains.Outbox;

/// <summary>The bookkeeping of the messages a grain keeps until they are delivered; called inside the grain's state writes.</summary>
internal static class OutgoingMessages
{
    /// <summary>
    /// Adds <paramref name="message"/>, removing any of its topic and the oldest beyond the cap (a campaign's message only
    /// when every message kept is one: its owner must then count it failed); returns the ids removed.
    /// </summary>
    public static List<string> Add(List<QueuedMessage> outgoing, QueuedMessage message)
    {
        var removed = message.Topic is { } topic ? RemoveTopic(outgoing, topic) : [];
        while (outgoing.Count >= QueuedMessage.MaxPerOwner)
        {
            var oldest = outgoing.FindIndex(queued => queued.Campaign is null);
            oldest = oldest < 0 ? 0 : oldest;
            removed.Add(outgoing[oldest].Id);
            outgoing.RemoveAt(oldest);
        }

        outgoing.Add(message);
        return removed;
    }

    /// <summary>Removes the messages of <paramref name="topic"/>; returns their ids.</summary>
    public static List<string> RemoveTopic(List<QueuedMessage> outgoing, string topic) => RemoveWhere(outgoing, message => message.Topic == topic);

    /// <summary>Removes the messages that became pointless; returns their ids.</summary>
    public static List<string> DropUseless(List<QueuedMessage> outgoing, DateTimeOffset now) => RemoveWhere(outgoing, message => message.DropAfter <= now);

    /// <summary>Moves the recheck of every message that is due by <paramref name="now"/> one period on; whether any moved.</summary>
    public static bool PostponeRecheck(List<QueuedMessage> outgoing, DateTimeOffset now, TimeSpan period)
    {
        var moved = false;
        for (var i = 0; i < outgoing.Count; i++)
        {
            if (outgoing[i].RecheckAt <= now)
            {
                outgoing[i] = outgoing[i] with { RecheckAt = now + period };
                moved = true;
            }
        }

        return moved;
    }

    /// <summary>The earliest recheck among the messages, if any.</summary>
    public static DateTimeOffset? NextRecheck(List<QueuedMessage> outgoing) => outgoing.Count == 0 ? null : outgoing.Min(message => message.RecheckAt);

    private static List<string> RemoveWhere(List<QueuedMessage> outgoing, Predicate<QueuedMessage> match)
    {
        List<string> removed = [.. outgoing.Where(message => match(message)).Select(message => message.Id)];
        outgoing.RemoveAll(match);
        return removed;
    }
}
