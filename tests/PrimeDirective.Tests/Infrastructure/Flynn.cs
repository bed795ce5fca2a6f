using System.Net.Http.Headers;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>Requests exactly as Flynn's scheduler builds them (Go's url.Values.Encode: keys sorted, all counts).</summary>
public static class Flynn
{
    public const string Version = "v20161108.0";

    public static HttpRequestMessage SchedulerReport(string clusterId, string bootstrapId, string? region = null, int hosts = 3, string? forwardedFor = null)
    {
        var query =
            $"ct_hosts={hosts}&ct_mongodb_dbs=0&ct_mysql_dbs=1&ct_postgres_dbs=2&ct_redis_dbs=0&ct_running_apps=4" +
            $"&ct_running_formations=5&ct_running_jobs=9&id_bootstrap={bootstrapId}&id_cluster={clusterId}&id_version={Version}";
        var request = new HttpRequestMessage(HttpMethod.Get, $"{(region is null ? string.Empty : "/" + region)}/measure/scheduler?{query}");
        request.Headers.UserAgent.Clear();
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("flynn-scheduler", Version));
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    public static HttpRequestMessage WithProof(HttpMethod method, string path, string? bootstrapId, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (bootstrapId is not null)
        {
            request.Headers.Add("X-Flynn-Bootstrap-Id", bootstrapId);
        }

        return request;
    }

    public static string NewId() => Guid.NewGuid().ToString("D");
}
