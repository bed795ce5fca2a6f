using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Telemetry;

/// <summary>
/// The OpenTelemetry pipelines of a gateway or silo process: metrics of ASP.NET Core, Kestrel, HttpClient, Orleans,
/// Npgsql, the runtime and our own meter; traces from the gateway through grain calls to PostgreSQL. Every pipeline
/// passes <see cref="TelemetryRedaction"/> before any exporter. Exporters: <c>GET /metrics</c> on the management port
/// (when <c>Management:Urls</c> is set) and OTLP (when <c>Telemetry:OtlpEndpoint</c> is set; off by default).
/// </summary>
public static class PrimeDirectiveTelemetry
{
    /// <summary>The scrape route of the management listener (never mapped on the public port).</summary>
    public const string MetricsPath = "/metrics";

    private static readonly string[] s_meters =
    [
        PrimeDirectiveMeter.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "System.Net.Http", "Microsoft.Orleans",
    ];

    private static readonly string[] s_sources =
    [
        ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.RuntimeActivitySourceName, ActivitySources.StorageActivitySourceName,
    ];

    /// <summary>Adds the pipelines (once per service collection).</summary>
    public static IServiceCollection AddPrimeDirectiveTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(service => service.ServiceType == typeof(RedactingSpanProcessor)))
        {
            return services;
        }

        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.SampleRatio is < 0 or > 1 || double.IsNaN(options.SampleRatio))
        {
            throw new InvalidOperationException($"Telemetry:SampleRatio must be between 0 and 1: {options.SampleRatio}");
        }

        var protocol = OtlpProtocol(options.OtlpProtocol);
        var scraped = !string.IsNullOrWhiteSpace(configuration[$"{ManagementOptions.SectionName}:Urls"]);

        // Trace context only: baggage is whatever a caller put in it, so none is read from a request or passed on.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
        services.AddSingleton<RedactingSpanProcessor>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(s_meters)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddView(TelemetryRedaction.View)
                    .SetExemplarFilter(ExemplarFilterType.AlwaysOff);
                if (scraped)
                {
                    metrics.AddPrometheusExporter();
                }

                if (options.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter(otlp => (otlp.Endpoint, otlp.Protocol) = (Signal(endpoint, protocol, "v1/metrics"), protocol));
                }
            })
            .WithTracing(tracing =>
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SampleRatio)))
                    .AddSource(s_sources)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.RecordException = false)
                    .AddHttpClientInstrumentation(http => http.RecordException = false)
                    .AddNpgsql()
                    .AddProcessor<RedactingSpanProcessor>();
                if (options.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(otlp => (otlp.Endpoint, otlp.Protocol) = (Signal(endpoint, protocol, "v1/traces"), protocol));
                }
            });

        if (scraped)
        {
            services.AddManagementEndpoints((endpoints, provider) =>
                endpoints.MapPrometheusScrapingEndpoint(MetricsPath, provider.GetRequiredService<MeterProvider>(), configureBranchedPipeline: null, optionsName: null));
        }

        return services;
    }

    private static OtlpExportProtocol OtlpProtocol(string name) => name switch
    {
        "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"Telemetry:OtlpProtocol must be grpc or http/protobuf: {name}"),
    };

    // OTLP over HTTP posts each signal to its own path under the collector's base address; gRPC takes the address itself.
    private static Uri Signal(Uri endpoint, OtlpExportProtocol protocol, string path) =>
        protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, path) : endpoint;
}
