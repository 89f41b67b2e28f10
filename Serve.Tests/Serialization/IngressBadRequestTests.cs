using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Http;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Serialization;

/// <summary>Minimal-API binding failures in a replica's HTTP pipeline: 400 with ProblemDetails naming the field, logged at Debug.</summary>
public sealed class IngressBadRequestTests
{
    private static async Task<ReplicaHttpHost> CreateHostAsync(RecordingLoggerFactory? logs = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(logs ?? new RecordingLoggerFactory())
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IServeClient>(new Serve.Tests.Http.ReplicaHttpHostTests.NoServeClient())
            .BuildServiceProvider();
        return (await ReplicaHttpHost.CreateAsync(new ShopEndpoints(), services, CancellationToken.None))!;
    }

    private static HttpRequestData Post(string path, string json) => new()
    {
        Method = "POST", Scheme = "http", PathBase = "", Path = path, QueryString = "",
        Headers = ["content-type", "application/json"], Body = Encoding.UTF8.GetBytes(json),
    };

    private static Task<(HttpResponseData Response, JsonElement Problem)> PostAsync(ReplicaHttpHost host, string json) => SendAsync(host, Post("/items", json));

    private static async Task<(HttpResponseData Response, JsonElement Problem)> SendAsync(ReplicaHttpHost host, HttpRequestData request)
    {
        var response = await host.ExchangeAsync(new Serve.Tests.Http.RecordingExchangeChannel().Call(request), CancellationToken.None);
        return (response, JsonDocument.Parse(response.Body).RootElement);
    }

    [Fact]
    public async Task ExchangeAsync_MalformedJson_400ProblemNamingTheParameterAndLoggedAtDebug()
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(logs);

        var (response, problem) = await PostAsync(host, """{"id": 7, "name": """);

        Assert.Equal(400, response.StatusCode);
        Assert.Contains("application/problem+json", string.Join(" ", response.Headers));
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("item", problem.GetProperty("parameter").GetString());
        Assert.Contains("Failed to read parameter \"Item item\" from the request body as JSON.", problem.GetProperty("detail").GetString());
        var log = Assert.Single(logs.Records, r => r.Id.Id == ServeEvents.IngressBadRequest);
        Assert.Equal(LogLevel.Debug, log.Level);
        Assert.Contains("POST /items with 400", log.Message);
    }

    [Fact]
    public async Task ExchangeAsync_WrongFieldType_400ProblemNamingTheField()
    {
        await using var host = await CreateHostAsync();

        var (response, problem) = await PostAsync(host, """{"id": "seven", "name": "lamp"}""");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("$.id", problem.GetProperty("field").GetString());
        Assert.Contains("Path: $.id", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ExchangeAsync_MissingField_400ProblemNamingTheField()
    {
        await using var host = await CreateHostAsync();

        var (response, problem) = await PostAsync(host, """{"id": 7}""");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("name", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task ExchangeAsync_NullForNonNullableField_400ProblemNamingTheField()
    {
        await using var host = await CreateHostAsync();

        var (response, problem) = await PostAsync(host, """{"id": 7, "name": null}""");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("$.name", problem.GetProperty("field").GetString());
        Assert.Contains("doesn't allow null values", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ExchangeAsync_AnswerWithNullInNonNullableField_FailsNamingTheFieldInsteadOfSendingNull()
    {
        await using var host = await CreateHostAsync();
        var request = new HttpRequestData { Method = "GET", Scheme = "http", PathBase = "", Path = "/unnamed", QueryString = "", Headers = [], Body = [] };

        var error = await Assert.ThrowsAnyAsync<JsonException>(async () => await host.ExchangeAsync(new Serve.Tests.Http.RecordingExchangeChannel().Call(request), CancellationToken.None));

        Assert.Contains("The property or field 'name'", error.Message);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData(null)]
    public async Task ExchangeAsync_BodyNotJson_415ProblemNamingTheExpectedAndTheReceivedContentType(string? contentType)
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(logs);
        // What `curl -d '{"id":7,"name":"lamp"}' .../items` sends: the JSON, labelled a form.
        var request = Post("/items", """{"id": 7, "name": "lamp"}""") with { Headers = contentType is null ? [] : ["content-type", contentType] };

        var (response, problem) = await SendAsync(host, request);

        Assert.Equal(415, response.StatusCode);
        Assert.Contains("application/problem+json", string.Join(" ", response.Headers));
        Assert.Equal(415, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("POST /items expects a body of type application/json", detail);
        Assert.Contains(contentType is null ? "the request had no Content-Type" : $"the request's Content-Type is '{contentType}'", detail);
        Assert.Contains("-H 'Content-Type: application/json'", detail);
        Assert.Equal(contentType ?? "", problem.GetProperty("received").GetString());
        Assert.Equal("application/json", Assert.Single(problem.GetProperty("expected").EnumerateArray()).GetString());
        var log = Assert.Single(logs.Records, r => r.Id.Id == ServeEvents.IngressBadRequest);
        Assert.Equal(LogLevel.Debug, log.Level);
    }

    [Fact]
    public async Task ExchangeAsync_JsonContentTypeWithCharset_StillAccepted()
    {
        await using var host = await CreateHostAsync();

        var response = await host.ExchangeAsync(new Serve.Tests.Http.RecordingExchangeChannel().Call(
            Post("/items", """{"id": 7, "name": "lamp"}""") with { Headers = ["content-type", "application/json; charset=utf-8"] }), CancellationToken.None);

        Assert.Equal(201, response.StatusCode);
    }

    [Fact]
    public async Task ExchangeAsync_EmptyJsonBody_400ProblemSayingTheBodyIsMissing()
    {
        await using var host = await CreateHostAsync();

        var (response, problem) = await PostAsync(host, "");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("item", problem.GetProperty("parameter").GetString());
        Assert.Contains("no body was provided", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ExchangeAsync_PathNoEndpointMatches_404ProblemNamingTheRequestAndTheEndpoints()
    {
        await using var host = await CreateHostAsync();

        var (response, problem) = await SendAsync(host, Post("/itemz", """{"id": 7, "name": "lamp"}""") with { PathBase = "/shop" });

        Assert.Equal(404, response.StatusCode);
        Assert.Contains("application/problem+json", string.Join(" ", response.Headers));
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("POST /shop/itemz", detail);
        Assert.Contains("POST /shop/items,", detail);
        Assert.Contains("GET /shop/items/{id:int}", detail);
    }

    [Fact]
    public async Task ExchangeAsync_GetOfAPostEndpoint_405ProblemNamingTheMethodsItAnswersAndTheFix()
    {
        // `curl 127.0.0.1:8000/shop/items` is a GET: ASP.NET Core alone answered an empty 405, which curl shows as nothing.
        await using var host = await CreateHostAsync();

        var (response, problem) = await SendAsync(host, new HttpRequestData
        {
            Method = "GET", Scheme = "http", PathBase = "/shop", Path = "/items", QueryString = "", Headers = [], Body = [],
        });

        Assert.Equal(405, response.StatusCode);
        Assert.Contains("application/problem+json", string.Join(" ", response.Headers));
        Assert.Contains("allow POST", string.Join(" ", response.Headers), StringComparison.OrdinalIgnoreCase);
        var detail = problem.GetProperty("detail").GetString();
        Assert.StartsWith("/shop/items answers POST, not GET (curl: -X POST, with -H 'Content-Type: application/json' -d '{...}' for a JSON body). Its endpoints: ", detail);
        Assert.Contains("POST /shop/items,", detail);
    }

    [Fact]
    public async Task ExchangeAsync_EndpointAnswers404Itself_KeepsItsOwnAnswer()
    {
        await using var host = await CreateHostAsync();

        var response = await host.ExchangeAsync(new Serve.Tests.Http.RecordingExchangeChannel().Call(Post("/missing", "{}")), CancellationToken.None);

        Assert.Equal(404, response.StatusCode);
        Assert.Equal("\"no such item\"", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task ExchangeAsync_ValidBody_StillCreated()
    {
        await using var host = await CreateHostAsync();

        var response = await host.ExchangeAsync(new Serve.Tests.Http.RecordingExchangeChannel().Call(Post("/items", """{"id": 7, "name": "lamp"}""")), CancellationToken.None);

        Assert.Equal(201, response.StatusCode);
    }
}
