using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serve.Tests.Infrastructure;

/// <summary>A client's TCP connection to an HTTP port, driven byte by byte, as an attacker's (or a plain scraper's) would be.</summary>
public static class RawHttpConnection
{
    /// <summary>A connection to <paramref name="address"/> that has sent nothing yet, from the local address <paramref name="from"/> if given.</summary>
    public static async Task<Socket> OpenAsync(Uri address, IPAddress? from = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }
        await socket.ConnectAsync(address.Host, address.Port);
        return socket;
    }

    /// <summary>
    /// A new connection's <c>GET <paramref name="path"/></c>: the status line of the answer, or null when the server
    /// closed (or reset) the connection instead, even before the connect returned.
    /// </summary>
    public static async Task<string?> TryGetAsync(Uri address, string path, IPAddress? from = null)
    {
        Socket socket;
        try
        {
            socket = await OpenAsync(address, from);
        }
        catch (SocketException)
        {
            return null;
        }
        using (socket)
        {
            return await GetStatusLineAsync(socket, path);
        }
    }

    /// <summary>
    /// Sends <c>GET <paramref name="path"/></c> (keep-alive) and returns the status line of the answer, or null when the
    /// server closed the connection instead; fails when neither comes within 30 s.
    /// </summary>
    public static async Task<string?> GetStatusLineAsync(Socket socket, string path)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), deadline.Token);
        }
        catch (SocketException)
        {
            return null;
        }
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n", StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, deadline.Token);
            }
            catch (SocketException)
            {
                return null;
            }
            if (read == 0)
            {
                return null;
            }
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return received.ToString()[..received.ToString().IndexOf("\r\n", StringComparison.Ordinal)];
    }
}
