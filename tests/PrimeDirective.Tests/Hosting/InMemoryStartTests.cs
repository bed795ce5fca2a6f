using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Hosting;

/// <summary>
/// The README's single process (gateway with a co-hosted silo, in memory, no keys) starts without a false alarm: Orleans'
/// watchdog must not report "Participant check thread has not completed for" the machine's uptime.
/// </summary>
public sealed class InMemoryStartTests
{
    private const string WatchdogCategory = "Orleans.Runtime.Watchdog";

    [Fact]
    public async Task The_in_memory_gateway_starts_without_a_watchdog_warning_even_when_the_watchdogs_first_check_wins_its_race()
    {
        var logs = new FakeLogCollector();
        var clock = new WatchdogRace();
        var outbox = Path.Combine(Path.GetTempPath(), $"pd-outbox-{Guid.NewGuid():N}");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Outbox:Directory"] = outbox,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.AddGateway();
        await using var app = builder.Build();
        app.UseGateway();
        try
        {
            await app.StartAsync();
            await clock.FirstPlatformCheck.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(clock.RaceWon, "The watchdog's first check did not run before Start stamped the component check: the race was not reproduced.");
            Assert.Contains(logs.GetSnapshot(), record => record.Message.StartsWith("In-memory mode", StringComparison.Ordinal));
            var warnings = logs.GetSnapshot()
                .Where(record => record.Category == WatchdogCategory && record.Level >= LogLevel.Warning)
                // A real stall of a loaded machine may be reported; the false alarm is the participant check's.
                .Where(record => !record.Message.StartsWith(".NET Runtime Platform stalled", StringComparison.Ordinal))
                .Select(record => record.Message)
                .ToList();
            Assert.True(warnings.Count == 0, $"Watchdog warnings at start: {string.Join(" | ", warnings)}");
        }
        finally
        {
            await app.StopAsync();
            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }
        }
    }

    /// <summary>
    /// The system clock, except that the watchdog's first platform check always wins its race with <c>Watchdog.Start</c>:
    /// Start's second reading (which stamps the component check) waits until the platform thread has checked once.
    /// </summary>
    private sealed class WatchdogRace : TimeProvider
    {
        private readonly TaskCompletionSource _firstCheck = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _platformReadings;
        private int _startReadings;
        private volatile bool _stamped;

        /// <summary>Completes once the platform thread has finished its first check (its third reading stamps the next).</summary>
        public Task FirstPlatformCheck => _firstCheck.Task;

        /// <summary>Whether the first check read the component stamp before Start had written it.</summary>
        public bool RaceWon { get; private set; }

        public override long GetTimestamp()
        {
            if (!_firstCheck.Task.IsCompleted)
            {
                if (Thread.CurrentThread.Name == "Orleans.Runtime.Watchdog.Platform")
                {
                    // Reading 2 measures from the component stamp, which the check loaded just before.
                    var reading = Interlocked.Increment(ref _platformReadings);
                    if (reading == 2)
                    {
                        RaceWon = !_stamped;
                    }
                    else if (reading == 3)
                    {
                        _firstCheck.TrySetResult();
                    }
                }
                else if (InWatchdogStart() && Interlocked.Increment(ref _startReadings) == 2)
                {
                    _firstCheck.Task.Wait(TimeSpan.FromSeconds(30));
                    _stamped = true;
                }
            }

            return base.GetTimestamp();
        }

        private static bool InWatchdogStart() =>
            new StackTrace(false).GetFrames().Any(frame => frame.GetMethod() is { Name: "Start", DeclaringType.FullName: "Orleans.Runtime.Watchdog" });
    }
}
