namespace PrimeDirective.Grains.Outbox;

/// <summary>Runs the file outbox's expiry while the silo is active (nothing when mail goes by SMTP).</summary>
internal sealed class FileOutboxExpiry(IOutbox outbox) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(FileOutboxExpiry), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        if (outbox is FileOutbox files)
        {
            var stopping = _stopping.Token;
            _running = Task.Run(() => files.ExpireAsync(stopping), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // An ungraceful stop does not wait for the pass under way; the next silo's expiry finishes it.
        }
    }
}
