using System.Net;
using System.Net.Sockets;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// Loopback ports free right now, from below the system's ephemeral range: a port the system hands out itself (a
/// listener on port 0, such as a silo's data plane, or the local end of an outgoing connection) is never one of these,
/// so a test's port is not taken between this choice and its listener's start. Each port is checked by binding it, and
/// none is handed out twice by this process until the window wraps.
/// </summary>
public static class FreePorts
{
    private static readonly (int Low, int High) Window = ChooseWindow();
    private static int _next = Window.Low + Random.Shared.Next(Window.High - Window.Low);

    public static int[] Take(int count)
    {
        var ports = new List<int>(count);
        for (var tried = 0; ports.Count < count; tried++)
        {
            if (tried > Window.High - Window.Low)
            {
                throw new InvalidOperationException($"No {count} free loopback port(s) between {Window.Low} and {Window.High}.");
            }
            var port = Window.Low + (int)((uint)(Interlocked.Increment(ref _next) - Window.Low) % (uint)(Window.High - Window.Low));
            if (IsFree(port))
            {
                ports.Add(port);
            }
        }
        return [.. ports];
    }

    private static bool IsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Ten thousand ports just below the ephemeral range (Linux: ip_local_port_range, 32768 by default).</summary>
    private static (int Low, int High) ChooseWindow()
    {
        var ephemeralLow = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: the usual default.
        }
        var high = Math.Max(ephemeralLow, 11024);
        return (high - 10000, high);
    }
}
