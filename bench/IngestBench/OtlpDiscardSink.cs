using System.Globalization;
using System.Net;

namespace PrimeDirective.IngestBench;

/// <summary>
/// An OTLP/HTTP collector that keeps nothing: a loopback listener answering 200 (an empty protobuf response) to
/// <c>POST /v1/traces</c> and <c>/v1/metrics</c> after reading the body, and 404 to anything else. It counts what came,
/// so the figure can say the exporters really sent.
/// </summary>
internal sealed class OtlpDiscardSink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private long _traces;
    private long _metrics;
    private long _other;
    private long _bytes;

    public OtlpDiscardSink()
    {
        Address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{BenchPorts.Next()}/"));
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>The collector's base address (OTLP/HTTP appends <c>v1/traces</c> and <c>v1/metrics</c>).</summary>
    public Uri Address { get; }

    public long TracePosts => Interlocked.Read(ref _traces);

    public long MetricPosts => Interlocked.Read(ref _metrics);

    /// <summary>Requests to any other path (none expected).</summary>
    public long OtherRequests => Interlocked.Read(ref _other);

    public long Bytes => Interlocked.Read(ref _bytes);

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception exception) when (exception is HttpListenerException or IOException)
            {
                // The exporter gave up on this one (the gateway stopping): nothing to answer.
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var counter = context.Request.Url?.AbsolutePath switch
        {
            "/v1/traces" => 0,
            "/v1/metrics" => 1,
            _ => 2,
        };
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.InputStream.ReadAsync(buffer)) > 0)
        {
            Interlocked.Add(ref _bytes, read);
        }

        if (counter == 0)
        {
            Interlocked.Increment(ref _traces);
        }
        else if (counter == 1)
        {
            Interlocked.Increment(ref _metrics);
        }
        else
        {
            Interlocked.Increment(ref _other);
        }

        context.Response.StatusCode = counter == 2 ? 404 : 200;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength64 = 0;
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
