namespace PrimeDirective.IngestBench;

/// <summary>The edges of a durable ingest run (<see cref="IngestRun"/>) a figure may look at.</summary>
internal enum IngestPhase
{
    /// <summary>The gateway answers <c>/health/ready</c>; no report sent yet.</summary>
    Ready,

    /// <summary>Every cluster has reported once.</summary>
    FirstReportsEnded,

    /// <summary>The warm-up is over; the measured window starts now.</summary>
    WindowStarting,

    /// <summary>The window is over; the gateway and its database are still there.</summary>
    WindowEnded,
}

/// <summary>
/// What a figure changes about a durable ingest run: the gateway's extra settings (environment variables of its process)
/// and a look at each <see cref="IngestPhase"/>. Disposed by the figure after the run, so whatever it serves the gateway
/// (a telemetry sink) outlives the gateway's own shutdown.
/// </summary>
internal abstract class IngestPhases : IAsyncDisposable
{
    public virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>What the run was, as checked (a note under the table); read after the run and its disposal.</summary>
    public virtual string? Report => null;

    /// <param name="connectionString">The run's database (null in memory).</param>
    public virtual Task AtAsync(IngestPhase phase, string? connectionString, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
