using System.Net;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>
/// A client that opens gRPC calls and sends nothing after their headers, over the gateway's real h2c port: a call that
/// sends one message is held to the body's minimum data rate, a call whose client may wait is not.
/// </summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcQuietClientTests(GrpcGatewayFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Echo_HeadersWithoutTheirMessage_EndedOnceTheBodyRateGraceIsOver()
    {
        // One call first: the gateway then knows from the replicas that Echo takes no stream from its client.
        Assert.Equal("warm", (await fixture.Probe.EchoAsync(new ProbeRequest { Text = "warm" }).ResponseAsync.WaitAsync(Patience)).Text);
        using var http = new HttpClient();
        var quiet = new QuietContent();   // the request disposes it
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Http2Address, "/serve.tests.GrpcProbe/Echo"))
        {
            Content = quiet,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TE.ParseAdd("trailers");

        // Before, the call held its replica's slot for as long as the connection lasted: a few hundred such calls on one
        // connection, with no byte after their headers, left the application nothing to serve anyone else.
        var call = SendAsync(http, request);
        var ended = await Task.WhenAny(call, Task.Delay(Patience)) == call;
        quiet.Stop();

        Assert.True(ended, $"a unary call whose client sent only its headers was still open after {Patience.TotalSeconds} s (grace {GrpcGatewayFixture.BodyRateGracePeriod.TotalSeconds} s)");
        Assert.NotEqual("0", await call);
        Assert.Equal("after", (await fixture.Probe.EchoAsync(new ProbeRequest { Text = "after" }).ResponseAsync.WaitAsync(Patience)).Text);
    }

    /// <summary>The call's grpc-status, or what ended it when no status came (Kestrel cut the connection).</summary>
    private static async Task<string> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsByteArrayAsync();
            return response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.Single()
                : response.Headers.TryGetValues("grpc-status", out var header) ? header.Single()
                : $"HTTP {(int)response.StatusCode} without grpc-status";
        }
        catch (HttpRequestException e)
        {
            return e.GetType().Name;
        }
        catch (IOException e)
        {
            return e.GetType().Name;
        }
    }

    /// <summary>A gRPC body that sends its headers and then nothing until stopped.</summary>
    private sealed class QuietContent : HttpContent
    {
        private readonly CancellationTokenSource _stop = new();

        public QuietContent() => Headers.ContentType = new("application/grpc");

        public void Stop() => _stop.Cancel();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.FlushAsync();
            await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stop.Cancel();
                _stop.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
