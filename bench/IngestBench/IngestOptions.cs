using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>Which figures of issue 11 a run measures.</summary>
[Flags]
internal enum Figures
{
    None = 0,

    /// <summary>Figure 1: single-row INSERTs, the raw ceiling.</summary>
    Raw = 1,

    /// <summary>Figures 2 and 3: durable Flynn ingest over HTTP, and its ratio to the ceiling.</summary>
    Durable = 2,

    /// <summary>Figure 7: the same load in in-memory mode.</summary>
    Memory = 4,

    /// <summary>Figures 4 and 5: rate and WAL bytes per report with 1 and with 360 reports held.</summary>
    Held = 8,

    /// <summary>Figure 6: retention with two overlapping expiry waves.</summary>
    Retention = 16,

    /// <summary>Figure "first": figure 2's first report ÷ steady, and the key cache's hit rate (runs figure 2's measurement).</summary>
    First = 1 << 8,

    /// <summary>Figure "sealing": durable ingest with sealing as shipped ÷ with the sealer a pass-through.</summary>
    Sealing = 1 << 9,

    /// <summary>Figure "telemetry": durable ingest with OTLP export and scrapes ÷ with no telemetry configured.</summary>
    Telemetry = 1 << 10,

    /// <summary>Issue 21: erasure of a person with 10 linked clusters at 10 and at 100 concurrent, under the half-load (<c>erasure</c>).</summary>
    Erasure = 1 << 11,

    /// <summary>Issue 21: figure 6 with the half-load beside it (<c>retention-load</c>).</summary>
    RetentionLoad = 1 << 12,

    All = Raw | Durable | Memory | Held | Retention | First | Sealing | Telemetry | Erasure | RetentionLoad,
}

/// <summary>Where the bench's PostgreSQL comes from.</summary>
internal enum ServerKind
{
    /// <summary>A server of the bench's own (initdb in a temporary directory): its WAL is the bench's alone.</summary>
    Private,

    /// <summary><c>PD_BENCH_PG</c> or the machine's (scripts/postgres.sh), shared with whatever else runs.</summary>
    Shared,
}

/// <summary>The bench's arguments; every one has a default, so <c>dotnet run</c> alone prints every figure in about ten minutes.</summary>
internal sealed record IngestOptions(
    int Rounds,
    TimeSpan Window,
    TimeSpan Warmup,
    int Clusters,
    int Clients,
    int RawConnections,
    int HeldClusters,
    int HeldBatch,
    int Held,
    int Subjects,
    double RetentionRate,
    TimeSpan DrainTimeout,
    Figures Figures,
    ServerKind Server,
    string? Profile,
    string? Out,
    int ErasurePersons = 30,
    int HalfLoadRounds = 1)
{
    public const string Usage =
        "usage: IngestBench [--rounds N] [--seconds N] [--warmup-seconds N] [--clusters N] [--clients N] [--raw-connections N]\n" +
        "                   [--held-clusters N] [--held-batch N] [--held N] [--subjects N] [--retention-rate N]\n" +
        "                   [--drain-timeout hh:mm:ss] [--figures raw,durable,memory,held,retention,first,sealing,telemetry,erasure,retention-load]\n" +
        "                   [--erasure-persons N] [--half-load-rounds N]\n" +
        "                   [--server private|shared] [--profile DIR] [--out FILE]";

    public static IngestOptions Parse(IReadOnlyList<string> args)
    {
        var options = new IngestOptions(
            Rounds: 3,
            Window: TimeSpan.FromSeconds(10),
            Warmup: TimeSpan.FromSeconds(5),
            Clusters: 1_000,
            Clients: 32,
            RawConnections: 16,
            HeldClusters: 48,
            HeldBatch: 24,
            Held: 360,
            Subjects: 4_000,
            RetentionRate: 0,
            DrainTimeout: TimeSpan.FromMinutes(5),
            Figures: Figures.All,
            Server: ServerKind.Private,
            Profile: null,
            Out: null);
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--rounds" => options with { Rounds = Positive(args[i], value) },
                "--seconds" => options with { Window = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--warmup-seconds" => options with { Warmup = TimeSpan.FromSeconds(NonNegative(args[i], value)) },
                "--clusters" => options with { Clusters = Positive(args[i], value) },
                "--clients" => options with { Clients = Positive(args[i], value) },
                "--raw-connections" => options with { RawConnections = Positive(args[i], value) },
                "--held-clusters" => options with { HeldClusters = Positive(args[i], value) },
                "--held-batch" => options with { HeldBatch = Positive(args[i], value) },
                "--held" => options with { Held = Positive(args[i], value) },
                "--subjects" => options with { Subjects = Positive(args[i], value) },
                "--retention-rate" => options with { RetentionRate = Positive(args[i], value) },
                "--drain-timeout" => options with { DrainTimeout = Duration(args[i], value) },
                "--figures" => options with { Figures = ParseFigures(value) },
                "--server" => options with { Server = ParseServer(value) },
                "--profile" => options with { Profile = value },
                "--out" => options with { Out = value },
                "--erasure-persons" => options with { ErasurePersons = Positive(args[i], value) },
                "--half-load-rounds" => options with { HalfLoadRounds = Positive(args[i], value) },
                _ => throw new ArgumentException($"Unknown argument {args[i]}.\n{Usage}"),
            };
        }

        return options.HeldBatch < 2 ? throw new ArgumentException("--held-batch must be at least 2 (two halves).") : options;
    }

    private static Figures ParseFigures(string value)
    {
        var figures = Figures.None;
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Hyphenated names (retention-load) are the enum's names without the hyphen.
            figures |= Enum.TryParse<Figures>(name.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var figure) && figure != Figures.None
                ? figure
                : throw new ArgumentException($"Unknown figure {name}: raw, durable, memory, held, retention, first, sealing, telemetry, erasure, retention-load or all.");
        }

        return figures == Figures.None ? throw new ArgumentException("--figures names no figure.") : figures;
    }

    private static ServerKind ParseServer(string value) =>
        Enum.TryParse<ServerKind>(value, ignoreCase: true, out var kind) ? kind : throw new ArgumentException("--server must be private or shared.");

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{name} must be a positive integer.");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{name} must be a non-negative integer.");

    private static TimeSpan Duration(string name, string value) =>
        TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new ArgumentException($"{name} must be a positive duration (d.hh:mm:ss).");
}
