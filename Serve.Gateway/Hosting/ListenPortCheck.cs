using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Serve.Cluster;

namespace Serve.Hosting;

/// <summary>
/// Refuses, as the host starts and before Kestrel binds, a gateway port that another process listens on, naming the
/// setting to change: Kestrel alone says "address already in use" and nothing more, and the defaults (8000, 8265) are
/// ports other programs on a developer's machine use too. A port taken after this check still fails in Kestrel's words.
/// </summary>
internal sealed class ListenPortCheck(Func<IEnumerable<(string Host, int Port, string Setting)>> ports) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var taken = ports().Where(p => IsTaken(Address(p.Host), p.Port)).ToList();
        if (taken.Count > 0)
        {
            var (host, port, setting) = taken[0];
            throw new IOException(
                $"{setting}: port {port} on {Address(host)} is already in use by another process (another Serve, or another server on this machine), "
                + $"so the gateway does not start. Fix: stop that process, or set {setting} to a free port (environment: {setting.Replace(":", "__", StringComparison.Ordinal)}=...; 0 picks one).");
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Where Kestrel listens for a configured host: <c>localhost</c> and names that are no IP on loopback, as the gateway does.</summary>
    private static IPAddress Address(string host) => host != "localhost" && IPAddress.TryParse(host, out var address) ? address : IPAddress.Loopback;

    private static bool IsTaken(IPAddress address, int port)
    {
        try
        {
            return port != 0 && PortProbe.IsTaken(new IPEndPoint(address, port));
        }
        catch (SocketException)
        {
            // An address this machine does not have, say: Kestrel's own bind reports that.
            return false;
        }
    }
}
