using System.Net;
using System.Net.Sockets;

namespace Serve.Cluster;

/// <summary>
/// Turns <see cref="ServeClusterOptions.AdvertisedAddress"/> into the IP Orleans advertises: an IP as given, or a host
/// name (a container's hostname, say) resolved once at start, preferring IPv4. Orleans itself only takes an IP.
/// </summary>
internal static class AdvertisedAddressResolver
{
    public static IPAddress? Resolve(string? address, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }
        try
        {
            var addresses = Dns.GetHostAddresses(address);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (chosen is null)
            {
                error = "the name resolves to no address";
            }
            return chosen;
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            error = e.Message;
            return null;
        }
    }
}
