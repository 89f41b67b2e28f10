using System.Net;
using Microsoft.AspNetCore.Http;
using Serve.Forwarding;
using Serve.Http;

namespace Serve.Tests.Gateway;

/// <summary>What the gateway reads off a client's request for its replica, on ASP.NET Core's own request type.</summary>
public sealed class ForwardedRequestTests
{
    private static DefaultHttpContext Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }
        return context;
    }

    [Theory]
    [InlineData("my-id-1")]
    [InlineData("a")]
    public void RequestIdOf_PrintableIdGiven_KeepsIt(string given) =>
        Assert.Equal(given, ForwardedRequest.RequestIdOf(Request((HttpCall.RequestIdHeader, given)).Request));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("line\nbreak")]
    [InlineData("ünïcode")]
    public void RequestIdOf_UnusableIdGiven_MakesANewOne(string given)
    {
        var id = ForwardedRequest.RequestIdOf(Request((HttpCall.RequestIdHeader, given)).Request);

        Assert.NotEqual(given, id);
        Assert.NotEmpty(id);
    }

    [Fact]
    public void RequestIdOf_IdOverTheLimit_MakesANewOne()
    {
        var atLimit = new string('a', ForwardedRequest.MaxRequestIdLength);
        var over = new string('a', ForwardedRequest.MaxRequestIdLength + 1);

        Assert.Equal(atLimit, ForwardedRequest.RequestIdOf(Request((HttpCall.RequestIdHeader, atLimit)).Request));
        Assert.NotEqual(over, ForwardedRequest.RequestIdOf(Request((HttpCall.RequestIdHeader, over)).Request));
    }

    [Fact]
    public void Create_ClientSentItsOwnRequestId_OnlyTheGatewaysTravelsAndLast()
    {
        var context = Request(("accept", "a"), (HttpCall.RequestIdHeader, "client's"), ("accept", "b"));
        context.Request.Method = "POST";
        context.Request.QueryString = new QueryString("?q=1");
        context.Connection.RemoteIpAddress = IPAddress.Loopback;

        var request = ForwardedRequest.Create(context, "gateway's", "/app", "/rest", [1, 2]);

        Assert.Equal(["accept", "a", "accept", "b", HttpCall.RequestIdHeader, "gateway's"], request.Headers);
        Assert.Equal(("POST", "/app", "/rest", "?q=1", "127.0.0.1"), (request.Method, request.PathBase, request.Path, request.QueryString, request.RemoteIpAddress));
        Assert.Equal([1, 2], request.Body);
    }

    [Theory]
    [InlineData(MultiplexedModel.IdHeader)]
    [InlineData("serve-multiplexed-model-id")]
    public void TryGetModelId_EitherSpelling_NamesTheModel(string header)
    {
        Assert.True(ForwardedRequest.TryGetModelId(Request((header, "spam")).Request, out var modelId));
        Assert.Equal("spam", modelId);
    }

    [Fact]
    public void TryGetModelId_NoHeader_NoModelAndValid()
    {
        Assert.True(ForwardedRequest.TryGetModelId(Request().Request, out var modelId));
        Assert.Null(modelId);
    }

    [Fact]
    public void TryGetModelId_ControlCharacter_Invalid() =>
        Assert.False(ForwardedRequest.TryGetModelId(Request((MultiplexedModel.IdHeader, "a\u0001b")).Request, out _));

    [Theory]
    [InlineData(null, null, false)]
    [InlineData(0L, null, false)]
    [InlineData(5L, null, true)]
    [InlineData(null, "chunked", true)]
    public void HasBody_WithoutBodyDetection_FollowsTheFraming(long? contentLength, string? transferEncoding, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentLength = contentLength;
        if (transferEncoding is not null)
        {
            context.Request.Headers.TransferEncoding = transferEncoding;
        }

        Assert.Equal(expected, ForwardedRequest.HasBody(context.Request));
    }
}
