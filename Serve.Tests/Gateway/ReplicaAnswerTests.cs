using Microsoft.AspNetCore.Http;
using Serve.Forwarding;
using Serve.Http;

namespace Serve.Tests.Gateway;

/// <summary>
/// How the gateway writes a replica's answer, on ASP.NET Core's own response type. Headers Kestrel refuses are
/// <c>GatewayTests.Forward_HandlerSetsAHeaderKestrelRefuses_ServerErrorNamingIt</c>'s: only Kestrel's headers check.
/// </summary>
public sealed class ReplicaAnswerTests
{
    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        return context;
    }

    [Fact]
    public async Task WriteAsync_HopByHopHeaders_LeftToTheGateway()
    {
        var context = Context();

        var refused = await ReplicaAnswer.WriteAsync(context, new HttpResponseData
        {
            StatusCode = 201, Headers = ["content-type", "text/plain", "Connection", "close", "transfer-encoding", "chunked", "x-kept", "1"], Body = "hi"u8.ToArray(),
        });

        Assert.Null(refused);
        Assert.Equal(201, context.Response.StatusCode);
        Assert.Equal(["content-type", "x-kept"], context.Response.Headers.Keys.Where(k => k != "Content-Length").Order().Select(k => k.ToLowerInvariant()));
        Assert.Equal(2, context.Response.ContentLength);
    }

    [Fact]
    public async Task WriteAsync_InterimStatus_Refused()
    {
        var refused = await ReplicaAnswer.WriteAsync(Context(), new HttpResponseData { StatusCode = 101, Headers = [], Body = [] });

        Assert.Contains("interim status", refused);
    }

    [Fact]
    public async Task WriteAsync_NoContentWithBody_BodyDropped()
    {
        var context = Context();

        Assert.Null(await ReplicaAnswer.WriteAsync(context, new HttpResponseData { StatusCode = 204, Headers = [], Body = "x"u8.ToArray() }));

        Assert.Equal(0, context.Response.Body.Length);
        Assert.Null(context.Response.ContentLength);
    }
}
