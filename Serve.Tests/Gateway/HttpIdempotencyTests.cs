using Microsoft.AspNetCore.Http;
using Serve.Forwarding;

namespace Serve.Tests.Gateway;

public sealed class HttpIdempotencyTests
{
    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("get")]
    public void IsIdempotent_IdempotentMethodPerRfc9110_True(string method) =>
        Assert.True(HttpIdempotency.IsIdempotent(method, new HeaderDictionary()));

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("CONNECT")]
    public void IsIdempotent_OtherMethodWithoutKey_False(string method) =>
        Assert.False(HttpIdempotency.IsIdempotent(method, new HeaderDictionary()));

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public void IsIdempotent_OtherMethodWithIdempotencyKey_True(string method) =>
        Assert.True(HttpIdempotency.IsIdempotent(method, new HeaderDictionary { ["idempotency-key"] = "8e03978e-40d5-43e8-bc93-6894a57f9324" }));

    [Fact]
    public void IsIdempotent_PostWithEmptyIdempotencyKey_False() =>
        Assert.False(HttpIdempotency.IsIdempotent("POST", new HeaderDictionary { [HttpIdempotency.KeyHeader] = "" }));
}
