using System.Net;
using System.Net.Sockets;

namespace Serve.Testing;

/// <summary>A loopback port free right now, for the silo: tests running at once must not share one (two silos on one port silently mix).</summary>
internal static class LoopbackPort
{
    public static int TakeFree()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
