using System.Net;
using System.Net.Sockets;

namespace Serve.Tests.Infrastructure;

public static class FreePorts
{
    /// <summary>Ports free on loopback right now (asked of the OS together, so they differ).</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }
        return ports;
    }
}
