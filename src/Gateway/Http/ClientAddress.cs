using System.Net;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// The address a request came from: the connection's, which the forwarded-headers middleware replaces only
/// when the connection is from a configured trusted proxy (<c>Gateway:TrustedProxies</c>).
/// </summary>
internal static class ClientAddress
{
    public static string? Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return null;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    public static IPAddress[] ParseTrusted(IEnumerable<string> configured) => [.. configured.Select(IPAddress.Parse)];
}
