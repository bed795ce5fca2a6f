using System.Net;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// The address a request came from: the connection's, which the forwarded-headers middleware replaces only
/// when the connection is from a configured trusted proxy (<c>Gateway:TrustedProxies</c>: addresses, or networks in
/// CIDR notation such as <c>10.244.0.0/16</c> for ingress controller pods whose addresses change).
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

    /// <summary>The configured proxies: single addresses and networks; an entry that is neither stops the gateway at start.</summary>
    public static (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks) ParseTrusted(IEnumerable<string> configured)
    {
        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var entry in configured)
        {
            // Strict: a network whose address has host bits set (10.0.0.1/8) is more likely a typo than a range.
            if (entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out var network)
                && network.BaseAddress.Equals(IPAddress.Parse(entry[..entry.IndexOf('/', StringComparison.Ordinal)])))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                throw new InvalidOperationException(
                    $"Gateway:TrustedProxies has \"{entry}\", which is neither an IP address nor a network in CIDR notation (e.g. 10.244.0.0/16).");
            }
        }

        return (addresses, networks);
    }
}
