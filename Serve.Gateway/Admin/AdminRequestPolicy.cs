using System.Net;
using Microsoft.AspNetCore.Http;
using Serve.Diagnostics;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// Decides whether a request may reach the admin API given where it says it is going and where it comes from, as
/// Ray's dashboard does: the <c>Host</c> must be an address the admin API listens on or a configured name (a DNS
/// rebinding attack names the attacker's domain), and a browser request must come from the admin API's own origin or
/// an allowed one (<c>Origin</c>, <c>Sec-Fetch-Site</c>). Clients that are not browsers (the serve CLI, curl) send
/// neither header and pass. Pure: it sees only header values.
/// </summary>
internal sealed class AdminRequestPolicy
{
    private readonly ListenKind _listen;
    private readonly IPAddress? _address;
    private readonly string? _machineName;
    private readonly bool _anyHost;
    private readonly HashSet<string> _hosts;
    private readonly HashSet<string> _origins;

    public AdminRequestPolicy(ServeAdminOptions options, string? machineName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _listen = options.Host == "localhost" ? ListenKind.Loopback
            : !IPAddress.TryParse(options.Host, out var address) ? ListenKind.Loopback
            : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? ListenKind.Any
            : IPAddress.IsLoopback(address) ? ListenKind.Loopback
            : ListenKind.One;
        _address = _listen == ListenKind.One ? IPAddress.Parse(options.Host) : null;
        // The machine's own name reaches it only when it listens beyond loopback.
        _machineName = _listen == ListenKind.Loopback ? null : machineName;
        _anyHost = options.AllowedHosts.Contains("*");
        _hosts = new HashSet<string>(options.AllowedHosts.Select(h => h.Trim('[', ']')), StringComparer.OrdinalIgnoreCase);
        _origins = new HashSet<string>(options.AllowedOrigins.Select(o => OriginOf(o) ?? o), StringComparer.OrdinalIgnoreCase);
    }

    private enum ListenKind
    {
        Loopback,
        Any,
        One,
    }

    /// <summary>Whether <paramref name="origin"/> is one of <see cref="ServeAdminOptions.AllowedOrigins"/>: its responses may be read by that page.</summary>
    public bool IsAllowedOrigin(string? origin) => origin is not null && OriginOf(origin) is { } normal && _origins.Contains(normal);

    /// <summary>Null when the request may go on; else why it may not, in words for the caller.</summary>
    /// <param name="scheme">The request's scheme, <c>http</c> or <c>https</c>.</param>
    /// <param name="host">The request's <c>Host</c> header.</param>
    /// <param name="origin">The <c>Origin</c> header, if any: browsers send it with every request but simple same-origin GETs.</param>
    /// <param name="fetchSite">The <c>Sec-Fetch-Site</c> header, if any: what current browsers say about every request's origin.</param>
    public string? Refuse(string scheme, HostString host, string? origin, string? fetchSite)
    {
        if (!IsAllowedHost(host))
        {
            return $"the Host header '{EchoedInput.Cut(host.Value)}' is not an address of this admin API. A web page on another site can reach 127.0.0.1 "
                + "through a DNS name it controls (DNS rebinding), so only the addresses the admin API listens on are accepted. "
                + "Fix: call it by its address (e.g. http://127.0.0.1:8265), or add the name to Serve:Admin:AllowedHosts.";
        }
        if (IsAllowedOrigin(origin))
        {
            return null;
        }
        if (!string.IsNullOrEmpty(fetchSite) && fetchSite is not ("same-origin" or "none"))
        {
            return $"a web page on another site sent this request (Sec-Fetch-Site: {EchoedInput.Cut(fetchSite)}{(origin is null ? "" : $", Origin: {EchoedInput.Cut(origin)}")}). "
                + "Browsers may call the admin API only from its own pages. Fix: use the serve CLI or curl, or add the page's origin to Serve:Admin:AllowedOrigins.";
        }
        if (!string.IsNullOrEmpty(origin) && !IsSameOrigin(scheme, host, origin))
        {
            return $"a web page at '{EchoedInput.Cut(origin)}' sent this request, and the admin API is at {scheme}://{EchoedInput.Cut(host.Value)}. "
                + "Browsers may call the admin API only from its own pages. Fix: use the serve CLI or curl, or add the page's origin to Serve:Admin:AllowedOrigins.";
        }
        return null;
    }

    private bool IsAllowedHost(HostString host)
    {
        if (!host.HasValue || _anyHost)
        {
            // No Host at all is HTTP/1.0 from a client that is not a browser: every browser sends one.
            return true;
        }
        var name = host.Host.Trim('[', ']');
        if (_hosts.Contains(name) || (_machineName is not null && string.Equals(name, _machineName, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }
        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return _listen != ListenKind.One;
        }
        // An address literal cannot be rebound: only names resolve through the attacker's DNS.
        if (!IPAddress.TryParse(name, out var address))
        {
            return false;
        }
        return _listen switch
        {
            ListenKind.Any => true,
            ListenKind.Loopback => IPAddress.IsLoopback(address),
            _ => address.Equals(_address),
        };
    }

    private static bool IsSameOrigin(string scheme, HostString host, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var page) || !host.HasValue)
        {
            return false;
        }
        var port = host.Port ?? (scheme == "https" ? 443 : 80);
        return string.Equals(page.Scheme, scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(page.IdnHost.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            && page.Port == port;
    }

    /// <summary><c>scheme://host:port</c> of an origin, the port always written, so equal origins compare equal; null when it is not one.</summary>
    internal static string? OriginOf(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
            && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}"
            : null;
}
