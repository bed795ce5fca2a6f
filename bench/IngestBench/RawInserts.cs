using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Figure 1, the raw ceiling: single-row INSERTs of a ≈200-byte row, each its own durable (autocommit) transaction,
/// from <c>connections</c> connections at once for the same window as the ingest figures.
/// </summary>
internal static class RawInserts
{
    // About what a report's row carries besides its key: category, source, purpose and a few counts.
    private const string Payload =
        "{\"category\":\"usage\",\"purpose\":\"usage-statistics\",\"hosts\":3,\"running_jobs\":12,\"running_apps\":4,\"postgres_dbs\":2}";

    public static async Task<RawResult> RunAsync(string connectionString, int connections, TimeSpan window, CancellationToken cancellationToken)
    {
        long walBefore;
        await using var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = connections + 2 }.ConnectionString);
        await using (var create = source.CreateCommand(
            "create table raw_report (id bigint generated always as identity primary key, subject text not null, " +
            "collected_at timestamptz not null, expires_at timestamptz not null, payload text not null)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var position = source.CreateCommand("select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint"))
        {
            walBefore = (long)(await position.ExecuteScalarAsync(cancellationToken))!;
        }

        long inserted = 0;
        var ready = 0;
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = new Stopwatch();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(
            async () =>
            {
                await using var connection = await source.OpenConnectionAsync(cancellationToken);
                await using var insert = new NpgsqlCommand(
                    "insert into raw_report (subject, collected_at, expires_at, payload) values ($1, $2, $3, $4)", connection);
                var subject = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text });
                var collected = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz });
                var expires = insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = Payload });
                await insert.PrepareAsync(cancellationToken);
                if (Interlocked.Increment(ref ready) == connections)
                {
                    allReady.SetResult();
                }

                await start.Task;
                while (watch.Elapsed < window)
                {
                    var now = DateTime.UtcNow;
                    subject.Value = Guid.NewGuid().ToString("N");
                    collected.Value = now;
                    expires.Value = now.AddDays(90);
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                    Interlocked.Increment(ref inserted);
                }
            },
            cancellationToken)).ToArray();
        // The window opens when every connection is open and its statement prepared.
        await allReady.Task.WaitAsync(cancellationToken);
        watch.Start();
        start.SetResult();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed;
        long walAfter;
        await using (var position = source.CreateCommand("select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint"))
        {
            walAfter = (long)(await position.ExecuteScalarAsync(cancellationToken))!;
        }

        await using var size = source.CreateCommand("select avg(pg_column_size(r.*))::float8 from raw_report r");
        var rowBytes = (double)(await size.ExecuteScalarAsync(cancellationToken))!;
        return new RawResult(inserted / elapsed.TotalSeconds, rowBytes, (walAfter - walBefore) / (double)Math.Max(1, inserted));
    }
}

/// <param name="Rate">Committed INSERTs per second.</param>
/// <param name="RowBytes">Mean stored row size (tuple header included).</param>
/// <param name="WalBytesPerRow">WAL the server wrote during the window, per row (a report's WAL in figure 5 compares with it).</param>
internal sealed record RawResult(double Rate, double RowBytes, double WalBytesPerRow);
