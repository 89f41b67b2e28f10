using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Serve.Http;
using Serve.Tests.Deployments.Http;

namespace Serve.Tests.Http;

/// <summary>Which failures a handler lets out are its client's mistakes, and what they answer.</summary>
public sealed class IngressInputFaultTests
{
    private static async Task<Exception> ReadFailureAsync<T>(string body, string? contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return await Assert.ThrowsAnyAsync<Exception>(async () => await context.Request.ReadFromJsonAsync<T>());
    }

    [Fact]
    public async Task From_MalformedJsonReadByReadFromJsonAsync_400NamingThePathLineAndPosition()
    {
        var error = await ReadFailureAsync<Item>("{\"id\": 7,\n \"name\": }");

        var fault = IngressInputFault.From(error);

        Assert.NotNull(fault);
        Assert.Equal(400, fault.Status);
        Assert.Equal("$.name", fault.Field);
        Assert.Equal(1, fault.LineNumber);
        Assert.Equal(9, fault.BytePositionInLine);
        Assert.StartsWith("The request body could not be read as JSON: ", fault.Detail);
        Assert.Contains("LineNumber: 1 | BytePositionInLine: 9", fault.Detail);
        Assert.DoesNotContain(" at ", fault.Detail);
    }

    [Fact]
    public async Task From_WrongTypeInValidJsonReadByReadFromJsonAsync_400NamingTheField()
    {
        var error = await ReadFailureAsync<Item>("""{"id": "seven", "name": "lamp"}""");

        var fault = IngressInputFault.From(error);

        Assert.Equal(400, fault?.Status);
        Assert.Equal("$.id", fault?.Field);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task From_ContentTypeNotJsonForReadFromJsonAsync_415ExpectingJson(string? contentType)
    {
        var error = await ReadFailureAsync<Item>("""{"id": 7, "name": "lamp"}""", contentType);
        Assert.IsType<InvalidOperationException>(error);

        var fault = IngressInputFault.From(error);

        Assert.Equal(415, fault?.Status);
        Assert.Equal(["application/json"], fault?.Expected);
    }

    [Fact]
    public void From_HandlersOwnJsonException_NotTheClients()
    {
        var error = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Item>("{\"id\": "));

        Assert.Null(IngressInputFault.From(error));
    }

    [Fact]
    public void From_HandlersOwnInvalidOperationException_NotTheClients()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new List<int>().First());

        Assert.Null(IngressInputFault.From(error));
    }

    [Fact]
    public async Task From_ConvertersInvalidOperationExceptionWhileReadFromJsonAsyncReads_NotTheClients()
    {
        // ReadFromJsonAsync is on its stack, but did not throw it: the handler's converter did, a bug of its own.
        var error = await ReadFailureAsync<Broken>("""{"value": 1}""");
        Assert.IsType<InvalidOperationException>(error);

        Assert.Null(IngressInputFault.From(error));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(413)]
    [InlineData(422)]
    public void From_BadHttpRequestExceptionWith4xx_ThatStatus(int status)
    {
        var fault = IngressInputFault.From(new BadHttpRequestException("too large", status));

        Assert.Equal(status, fault?.Status);
        Assert.Equal("too large", fault?.Detail);
    }

    [Fact]
    public void From_BadHttpRequestExceptionWith5xx_NotTheClients() =>
        Assert.Null(IngressInputFault.From(new BadHttpRequestException("unavailable", 503)));

    [Fact]
    public void From_OtherException_NotTheClients() =>
        Assert.Null(IngressInputFault.From(new FormatException("bad")));

    [JsonConverter(typeof(BrokenConverter))]
    private sealed record Broken(int Value);

    private sealed class BrokenConverter : JsonConverter<Broken>
    {
        public override Broken Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new InvalidOperationException("the converter's own bug");

        public override void Write(Utf8JsonWriter writer, Broken value, JsonSerializerOptions options) => throw new NotSupportedException();
    }
}
