using System.Net;
using System.Net.Sockets;

namespace Serve.Cluster;

/// <summary>
/// Whether another process listens on an endpoint. Orleans binds its listeners with .NET's address reuse, which on
/// Linux also sets SO_REUSEPORT, so a second silo binds the same port without error. The probe socket does not share
/// ports (SO_REUSEADDR alone, which still lets a restarted silo bind a port whose old connections are in TIME_WAIT).
/// </summary>
internal static class PortProbe
{
    public static bool IsTaken(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            socket.SetRawSocketOption(0xffff /* SOL_SOCKET */, 4 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
        }
        try
        {
            socket.Bind(endpoint);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return true;
        }
    }
}
