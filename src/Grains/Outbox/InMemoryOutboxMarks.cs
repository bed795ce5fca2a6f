using System.Collections.Immutable;

namespace PrimeDirective.Grains.Outbox;

/// <summary>Outbox marks in memory (the in-memory mode and the fast tests); counts its calls for tests.</summary>
public sealed class InMemoryOutboxMarks : IOutboxMarks
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Region, GrainId Owner), DateTimeOffset> _marks = [];

    /// <summary>Owners marked now, with their due times.</summary>
    public IReadOnlyDictionary<(string Region, GrainId Owner), DateTimeOffset> Marks
    {
        get
        {
            lock (_gate)
            {
                return _marks.ToDictionary();
            }
        }
    }

    public Task MarkAsync(string region, GrainId owner, DateTimeOffset dueAt)
    {
        lock (_gate)
        {
            _marks[(region, owner)] = dueAt;
        }

        return Task.CompletedTask;
    }

    public Task UnmarkAsync(string region, GrainId owner)
    {
        lock (_gate)
        {
            _marks.Remove((region, owner));
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<GrainId>> ClaimDueAsync(string region, DateTimeOffset now, DateTimeOffset nextDue, int limit)
    {
        lock (_gate)
        {
            var due = _marks.Where(mark => mark.Key.Region == region && mark.Value <= now).OrderBy(mark => mark.Value).Take(limit).Select(mark => mark.Key).ToList();
            foreach (var key in due)
            {
                _marks[key] = nextDue;
            }

            return Task.FromResult(due.Select(key => key.Owner).ToImmutableArray());
        }
    }
}
