using System.Globalization;

namespace PrimeDirective.RetentionBench;

/// <summary>The bench's arguments; every one has a default, so <c>dotnet run</c> alone measures 10,000 subjects.</summary>
internal sealed record BenchOptions(
    int Subjects,
    TimeSpan IpRetention,
    TimeSpan ReportRetention,
    TimeSpan RetryPeriod,
    int Concurrency,
    TimeSpan Idle,
    TimeSpan DrainTimeout,
    TimeSpan SettleTimeout,
    string? Out)
{
    public const string Usage =
        "usage: RetentionBench [--subjects N] [--ip-retention hh:mm:ss] [--report-retention hh:mm:ss] [--retry-period hh:mm:ss]\n" +
        "                      [--concurrency N] [--idle-seconds N] [--drain-timeout hh:mm:ss]\n" +
        "                      [--settle-timeout hh:mm:ss] [--out FILE]";

    /// <summary>The last of a subject's items expires this long after its report was accepted.</summary>
    public TimeSpan LongestRetention => IpRetention > ReportRetention ? IpRetention : ReportRetention;

    /// <summary>The first of a subject's items expires this long after its report was accepted.</summary>
    public TimeSpan ShortestRetention => IpRetention < ReportRetention ? IpRetention : ReportRetention;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions(
            Subjects: 10_000,
            IpRetention: TimeSpan.FromMinutes(1),
            ReportRetention: TimeSpan.FromMinutes(2),
            RetryPeriod: TimeSpan.FromMinutes(1),
            Concurrency: 64,
            Idle: TimeSpan.FromSeconds(30),
            DrainTimeout: TimeSpan.FromMinutes(15),
            SettleTimeout: TimeSpan.Zero,
            Out: null);
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--subjects" => options with { Subjects = Positive(args[i], value) },
                "--ip-retention" => options with { IpRetention = Duration(args[i], value) },
                "--report-retention" => options with { ReportRetention = Duration(args[i], value) },
                "--retry-period" => options with { RetryPeriod = Duration(args[i], value) },
                "--concurrency" => options with { Concurrency = Positive(args[i], value) },
                "--idle-seconds" => options with { Idle = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--drain-timeout" => options with { DrainTimeout = Duration(args[i], value) },
                "--settle-timeout" => options with { SettleTimeout = Duration(args[i], value) },
                "--out" => options with { Out = value },
                _ => throw new ArgumentException($"Unknown argument {args[i]}.\n{Usage}"),
            };
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} must be a positive integer.");

    private static TimeSpan Duration(string name, string value) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new ArgumentException($"{name} must be a positive duration (d.hh:mm:ss).");
}
