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

    /// <summary>
    /// A fresh client address (IPv6 documentation range, 2001:db8::/32) in the canonical form the gateway stores: 96 random
    /// bits in six full groups, so neither it nor any other address is a substring of another (the row searches match substrings).
    /// </summary>
    public static string NewAddress()
    {
        Span<byte> random = stackalloc byte[12];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        var groups = new string[6];
        for (var i = 0; i < groups.Length; i++)
        {
            // A first nibble of 8..f keeps every group four digits long: no leading zero dropped, no zero group compressed.
            groups[i] = ((ushort)(0x8000 | (random[2 * i] << 8) | random[(2 * i) + 1])).ToString("x4", System.Globalization.CultureInfo.InvariantCulture);
        }

        return $"2001:db8:{string.Join(':', groups)}";
    }
}
