using System.Net.Sockets;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Exchange;

/// <summary>The data-plane tests' waits: on a socket the other end should close, and on a condition, each within <see cref="Patience"/>.</summary>
internal static class ExchangeTestWaits
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Reads until the other end closes (or resets); the bytes it sent meanwhile. Fails if it stays open.</summary>
    public static async Task<int> ReceiveUntilClosedAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Patience);
        var buffer = new byte[1024];
        var total = 0;
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, deadline.Token);
            }
            catch (SocketException)
            {
                return total;
            }
            if (read == 0)
            {
                return total;
            }
            total += read;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails when it does not within <see cref="Patience"/>.</summary>
    public static Task WaitForAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience);
}
