using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Serve.Hosting;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>A stranger on the gateway's h2c port who opens streams and resets them faster than the gateway answers.</summary>
public sealed class Http2FloodTests
{
    private const int Connections = 30;

    [Fact]
    public async Task RapidReset_ManyConnections_KestrelsLinesBoundedTheRestSummedAndTheGatewayStillServes()
    {
        var http2Port = FreePorts.Take(1)[0];
        var (gateway, log) = await TestGateway.StartRecordingAsync("http2-flood-tests", o => (o.Port, o.Http2Port) = (0, http2Port));
        string? answer;
        try
        {
            var http = gateway.ListeningAddresses().Single(a => a.Port != http2Port);

            await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => FloodAsync(http2Port)));
            answer = await RawHttpConnection.TryGetAsync(http, "/-/healthz");
        }
        finally
        {
            await gateway.StopAsync();
            // The summary of the interval under way is written as the host's logging goes.
            await gateway.DisposeAsync();
        }

        // Kestrel writes a Critical line with a stack trace each time a connection's output queue overflows: about 2,000
        // from these 30 connections, unbounded.
        var written = log.Records.Where(r => r.Level >= LogLevel.Information && r.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)).ToArray();
        var overflows = written.Count(r => r.Id.Name == "Http2QueueOperationsExceeded");
        Assert.InRange(overflows, 1, KestrelLogThrottle.DefaultAllowance);
        Assert.All(written.GroupBy(r => r.Id.Id), e => Assert.InRange(e.Count(), 1, KestrelLogThrottle.DefaultAllowance));
        var summary = Assert.Single(log.Records, r => r.Id.Id == ServeEvents.KestrelLinesFolded && r.Message.Contains("Http2QueueOperationsExceeded", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.Matches(@"^Kestrel: [1-9]\d* more Critical lines of event Http2QueueOperationsExceeded \(Microsoft\.AspNetCore\.Server\.Kestrel\.Http2\) were not written in the last 60 s, past 10 written", summary.Message);
        Assert.StartsWith("HTTP/1.1 ", answer);
    }

    /// <summary>The h2c preface, then HEADERS and RST_STREAM pairs on new streams, never reading, until the gateway hangs up.</summary>
    private static async Task FloodAsync(int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        var frames = new List<byte>();
        frames.AddRange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        frames.AddRange(Frame(type: 4, flags: 0, stream: 0, []));
        await socket.SendAsync(frames.ToArray());
        // :method GET, :scheme http, :path / (HPACK static table), :authority a (literal, indexed name 1).
        byte[] headers = [0x82, 0x86, 0x84, 0x01, 0x01, (byte)'a'];
        byte[] cancel = [0, 0, 0, 8];
        var stream = 1;
        try
        {
            for (var batch = 0; batch < 200; batch++)
            {
                frames.Clear();
                for (var i = 0; i < 100; i++, stream += 2)
                {
                    frames.AddRange(Frame(type: 1, flags: 0x5, stream, headers));
                    frames.AddRange(Frame(type: 3, flags: 0, stream, cancel));
                }
                await socket.SendAsync(frames.ToArray());
            }
            // Then read what came back until the gateway hangs up or goes quiet.
            using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var buffer = new byte[64 * 1024];
            while (await socket.ReceiveAsync(buffer, quiet.Token) > 0)
            {
                quiet.CancelAfter(TimeSpan.FromSeconds(5));
            }
        }
        catch (OperationCanceledException)
        {
            // Nothing came for a while: the connection is done with.
        }
        catch (SocketException)
        {
            // The gateway hung up on the flood: what it logged is what is under test.
        }
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }
}
