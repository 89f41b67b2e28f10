using Microsoft.Extensions.Logging;

namespace Serve.Hosting;

/// <summary>
/// The connection bound each of the gateway's HTTP ports (the HTTP port, <c>Http2Port</c>, the admin API's) takes, so
/// that all of them full, with room kept for the silo's own files and sockets (Orleans, Redis, the data plane, logs),
/// fit in the process's open-file limit. A port's bound that the limit cannot hold is no bound: a flood of connections
/// then takes the process's last file descriptor, and with it the admin API, the silo's connections and, measured with
/// 10,000 connections on each of two ports under a limit of 20,000, the process itself ("Out of memory.").
/// </summary>
internal static class ConnectionBoundFit
{
    /// <summary>The ports bounded by <c>Serve:Http:MaxConnections</c> each: HTTP, HTTP/2, the admin API.</summary>
    public const int Ports = 3;

    /// <summary>Files kept for the rest of the process (at most half of the limit): the data plane alone may hold 1,024 connections.</summary>
    public const long Reserve = 2048;

    /// <summary>
    /// The bound a port takes: <paramref name="configured"/>, or its share of <paramref name="openFiles"/> past the
    /// reserve when that is smaller. No bound stays no bound, as does any bound when the limit is not known.
    /// </summary>
    public static long? PerPort(long? configured, long? openFiles)
    {
        if (configured is not { } bound || openFiles is not { } limit)
        {
            return configured;
        }
        var share = Math.Max(1, (limit - Math.Min(Reserve, limit / 2)) / Ports);
        return Math.Min(bound, share);
    }

    /// <summary>The bound per address that goes with <paramref name="perPort"/>: never more than it.</summary>
    public static long? PerAddress(long? configured, long? perPort) =>
        configured is { } perAddress && perPort is { } bound ? Math.Min(perAddress, bound) : configured;

    /// <summary>
    /// The connection limit of one of the gateway's ports (<paramref name="port"/> names it in refusals): the bounds of
    /// <paramref name="http"/> fitted to <paramref name="openFiles"/>, its bound per address the smaller of
    /// <paramref name="http"/>'s and <paramref name="portPerAddress"/>, one of this port alone (the admin API's, set by
    /// <paramref name="portPerAddressOption"/>, which refusals then name); null when no bound is set.
    /// </summary>
    public static HttpConnectionLimit? Limit(string port, ServeGatewayOptions http, long? openFiles, TimeProvider time, ILogger logger,
        long? portPerAddress = null, string? portPerAddressOption = null)
    {
        var max = PerPort(http.MaxConnections, openFiles);
        var shared = PerAddress(http.MaxConnectionsPerAddress, max);
        var own = PerAddress(portPerAddress, max);
        var (maxPerAddress, option) = own is { } mine && (shared is not { } theirs || mine < theirs) ? (own, portPerAddressOption) : (shared, null);
        return max is not null || maxPerAddress is not null
            ? new HttpConnectionLimit(port, $"{ServeGatewayOptions.SectionName}:", max, maxPerAddress, time, logger, option)
            : null;
    }
}
