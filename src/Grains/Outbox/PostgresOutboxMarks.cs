using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Npgsql;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// Outbox marks in each region's database (table <c>outbox_mark</c>, V027), written in batches: the marks and unmarks
/// asked for while a region's previous batch is on the wire go together in the next one (one round trip, one statement
/// per run of marks or unmarks), so a fan-out's many owners share a few writes instead of a reminder each.
/// </summary>
internal sealed class PostgresOutboxMarks(RegionDatabases databases) : IOutboxMarks
{
    private readonly ConcurrentDictionary<string, RegionBatch> _regions = new(StringComparer.Ordinal);

    public Task MarkAsync(string region, GrainId owner, DateTimeOffset dueAt) => Batch(region).Enqueue(new Change(owner.ToString(), dueAt));

    public Task UnmarkAsync(string region, GrainId owner) => Batch(region).Enqueue(new Change(owner.ToString(), null));

    public async Task<ImmutableArray<GrainId>> ClaimDueAsync(string region, DateTimeOffset now, DateTimeOffset nextDue, int limit)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            update outbox_mark set due_at = @next
            where region = @region and owner in (
              select owner from outbox_mark where region = @region and due_at <= @now order by due_at limit @limit for update skip locked)
            returning owner
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("next", nextDue.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
        var owners = ImmutableArray.CreateBuilder<GrainId>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            owners.Add(GrainId.Parse(reader.GetString(0), CultureInfo.InvariantCulture));
        }

        return owners.ToImmutable();
    }

    private RegionBatch Batch(string region) => _regions.GetOrAdd(region, name => new RegionBatch(name, databases.For(name)));

    /// <summary>A mark (due at <see cref="DueAt"/>) or, without one, an unmark.</summary>
    private sealed record Change(string Owner, DateTimeOffset? DueAt)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One region's changes waiting for the next round trip; at most one round trip in flight.</summary>
    private sealed class RegionBatch(string region, string connectionString)
    {
        private readonly Lock _gate = new();
        private List<Change> _waiting = [];
        private bool _flushing;

        public Task Enqueue(Change change)
        {
            lock (_gate)
            {
                _waiting.Add(change);
                if (_flushing)
                {
                    return change.Done.Task;
                }

                _flushing = true;
            }

            _ = Task.Run(FlushAllAsync);
            return change.Done.Task;
        }

        private async Task FlushAllAsync()
        {
            while (true)
            {
                List<Change> changes;
                lock (_gate)
                {
                    if (_waiting.Count == 0)
                    {
                        _flushing = false;
                        return;
                    }

                    changes = _waiting;
                    _waiting = [];
                }

                try
                {
                    await WriteAsync(changes);
                    changes.ForEach(change => change.Done.TrySetResult());
                }
                catch (Exception exception)
                {
                    changes.ForEach(change => change.Done.TrySetException(exception));
                }
            }
        }

        private async Task WriteAsync(List<Change> changes)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var batch = new NpgsqlBatch(connection);

            // In order, a statement per run of the same kind; within a run an owner counts once (its last change).
            foreach (var run in Runs(changes))
            {
                var owners = run.GroupBy(change => change.Owner, StringComparer.Ordinal).Select(group => group.Last()).ToList();
                var command = run[0].DueAt is null
                    ? new NpgsqlBatchCommand("delete from outbox_mark where region = @region and owner = any(@owners)")
                    : new NpgsqlBatchCommand(
                        """
                        insert into outbox_mark (region, owner, due_at) select @region, owner, due from unnest(@owners, @dues) as m(owner, due)
                        on conflict (region, owner) do update set due_at = excluded.due_at
                        """);
                command.Parameters.AddWithValue("region", region);
                command.Parameters.AddWithValue("owners", owners.Select(change => change.Owner).ToArray());
                if (run[0].DueAt is not null)
                {
                    command.Parameters.AddWithValue("dues", owners.Select(change => change.DueAt!.Value.UtcDateTime).ToArray());
                }

                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync();
        }

        private static IEnumerable<List<Change>> Runs(List<Change> changes)
        {
            var run = new List<Change>();
            foreach (var change in changes)
            {
                if (run.Count > 0 && (run[0].DueAt is null) != (change.DueAt is null))
                {
                    yield return run;
                    run = [];
                }

                run.Add(change);
            }

            yield return run;
        }
    }
}
