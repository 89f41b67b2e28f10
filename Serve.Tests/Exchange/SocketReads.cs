using System.Net.Sockets;

namespace Serve.Tests.Exchange;

/// <summary>Reads off a raw socket, for tests that play one end of the data plane by hand.</summary>
internal static class SocketReads
{
    /// <summary>Exactly <paramref name="count"/> bytes, within <paramref name="patience"/>; fails if the peer closes first.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, TimeSpan patience)
    {
        var bytes = new byte[count];
        using var deadline = new CancellationTokenSource(patience);
        for (var read = 0; read < count;)
        {
            var got = await socket.ReceiveAsync(bytes.AsMemory(read), deadline.Token);
            Assert.NotEqual(0, got);
            read += got;
        }
        return bytes;
    }
}
