namespace PrimeDirective.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline (never a fixed sleep).</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan deadline, string what)
    {
        using var timeout = new CancellationTokenSource(deadline);
        T last = default!;

        // Most conditions hold within moments (a message written just after the answer): probe again soon, then back off
        // to every 200 ms so a long wait does not spin on shared cores.
        var pause = TimeSpan.FromMilliseconds(10);
        while (!timeout.IsCancellationRequested)
        {
            try
            {
                last = await probe();
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // The service is still recovering; probe again.
            }

            await Task.Yield();
            try
            {
                await Task.Delay(pause, timeout.Token);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 200));
            }
            catch (TaskCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Not within {deadline}: {what}. Last: {last}");
    }
}
