using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// The silo's one drain of the notice emails kept in its regions' <c>person_notice</c> rows: it claims the due ones in
/// batches (another silo's drain skips them until they are due again), hands them to the silo's <see cref="OutboxSender"/>
/// (its transport, retries and backoff), and settles their fates in one statement per region; an email that could not be
/// delivered is first counted in its campaign's log. Woken when a fan-out appends a batch or an email is handled, and
/// every <see cref="OutboxOptions.RecheckPeriod"/> otherwise, so a silo that died holding claims strands nothing.
/// </summary>
public sealed partial class NoticeEmailDrain(
    IPersonNoticeLog rows,
    INoticeFailureLog failures,
    OutboxSender sender,
    IGrainFactory grains,
    SiloRegions regions,
    PolicyClock clock,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILogger<NoticeEmailDrain> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Emails claimed per round trip.</summary>
    private const int Page = 500;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<(string Region, DueNoticeEmail Email, MessageFate Fate)> _handled = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;
    private int _disposed;

    /// <summary>When an email appended now is due for a drain (real time, as the drain claims).</summary>
    public DateTimeOffset DueNow() => time.GetUtcNow();

    /// <summary>Something is due (a batch appended, an email handled): drain now rather than a period later.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(NoticeEmailDrain), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    /// <summary>One pass: the fates handled so far are settled, then every email due now in the served regions is handed.</summary>
    internal async Task DrainAsync(CancellationToken stopping)
    {
        await SettleAsync();
        foreach (var region in regions.Served)
        {
            while (!stopping.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var due = await rows.ClaimDueEmailsAsync(region, now, now + options.Value.RecheckPeriod, Page);
                foreach (var email in due)
                {
                    var message = new QueuedMessage(
                        PersonNoticeLog.EmailId(email.Person, email.CampaignId), MessageSeal.Text(email.Email), null,
                        email.At + options.Value.NoticeLifetime, now + options.Value.RecheckPeriod, email.CampaignId);
                    sender.Hand(grains.GetGrain<IUserGrain>(email.Person).GetGrainId(), message, fate =>
                    {
                        _handled.Enqueue((region, email, fate));
                        Wake();
                        return Task.CompletedTask;
                    });
                }

                if (due.Length < Page)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Settles what the sender handled: failures are counted in their campaign's log first (once per person), then every
    /// fate is written in one statement per region. What fails stays queued for the next pass (the row stays pending).
    /// </summary>
    private async Task SettleAsync()
    {
        var handled = new List<(string Region, DueNoticeEmail Email, MessageFate Fate)>();
        while (_handled.TryDequeue(out var one))
        {
            handled.Add(one);
        }

        try
        {
            foreach (var (_, email, fate) in handled.Where(one => one.Fate != MessageFate.Delivered))
            {
                await failures.RecordEmailFailureAsync(
                    SubjectKey.RegionOf(email.Via) ?? throw new InvalidOperationException("A notice came through a key without region."),
                    email.CampaignId, email.Person, PersonNoticeLog.State(fate), clock.GetUtcNow());
            }

            foreach (var region in handled.GroupBy(one => one.Region))
            {
                await rows.SettleEmailsAsync(region.Key, [.. region.Select(one => new NoticeEmailFate(one.Email.Person, one.Email.CampaignId, one.Fate))]);
            }
        }
        catch
        {
            // Counting a failure twice is harmless (once per person and campaign); forgetting a fate is not.
            handled.ForEach(_handled.Enqueue);
            throw;
        }
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var stopping = _stopping.Token;
        _running = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(stopping);
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                // The region's database restarting: the rows wait for the next pass.
                LogDrainFailed(logger, exception.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                using var period = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var delay = Task.Delay(options.Value.RecheckPeriod, time, period.Token);
                await Task.WhenAny(_wake.Reader.ReadAsync(period.Token).AsTask(), delay);
                await period.CancelAsync();
                stopping.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        try
        {
            await _running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // An ungraceful stop does not wait: claimed emails are due again a period later, for any silo's drain.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice email drain: a pass failed ({ExceptionType}); trying again")]
    private static partial void LogDrainFailed(ILogger logger, string exceptionType);
}
