namespace PrimeDirective.Grains.Telemetry;

/// <summary>How a process exports its metrics and traces (section <c>Telemetry</c>); <c>/metrics</c> follows <c>Management:Urls</c>.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The share of new traces kept (0 to 1); a request that arrives inside a sampled trace follows its parent's choice.</summary>
    public double SampleRatio { get; set; } = 0.01;

    /// <summary>An OTLP collector (e.g. <c>http://otel-collector:4317</c>) that receives traces and metrics; none: nothing is pushed.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The <c>service.name</c> of this process's telemetry (deploy/k8s names the gateway and the silos apart).</summary>
    public string ServiceName { get; set; } = "prime-directive";
}
