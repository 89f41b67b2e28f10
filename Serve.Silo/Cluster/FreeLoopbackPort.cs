using System.Net;
using System.Net.Sockets;

namespace Serve.Cluster;

/// <summary>A loopback port no process listens on now: an embedded silo's, which no other silo needs to know in advance.</summary>
internal static class FreeLoopbackPort
{
    public static int Take()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
