using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Http;
using Serve.Replicas;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Http;

/// <summary>
/// Handlers that read their own body (an <see cref="IHttpIngress"/>, an endpoint taking the HttpRequest): the client's
/// mistakes answer 4xx ProblemDetails, the handler's own failures stay failures (the gateway's 500), and the first of each
/// kind is a Warning.
/// </summary>
public sealed class IngressJsonFaultTests
{
    private static async Task<ReplicaHttpHost> CreateHostAsync(object ingress, RecordingLoggerFactory logs)
    {
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(logs)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IServeClient>(new ReplicaHttpHostTests.NoServeClient())
            .BuildServiceProvider();
        var faults = new HandlerFaultLog(logs.CreateLogger("Serve.Replicas.ReplicaGrain"), "replica-1");
        return (await ReplicaHttpHost.CreateAsync(ingress, services, CancellationToken.None, faults))!;
    }

    private static HttpRequestData Post(string path, string body, string? contentType = "application/json") => new()
    {
        Method = "POST", Scheme = "http", PathBase = "", Path = path, QueryString = "",
        Headers = contentType is null ? [] : ["content-type", contentType], Body = Encoding.UTF8.GetBytes(body),
    };

    private static Task<HttpResponseData> SendAsync(ReplicaHttpHost host, HttpRequestData request) =>
        host.ExchangeAsync(new RecordingExchangeChannel().Call(request), CancellationToken.None).AsTask();

    public static TheoryData<object, string> Readers() => new()
    {
        { new JsonReadingIngress(), "/items" },
        { new JsonReadingEndpoints(), "/read" },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ExchangeAsync_MalformedJsonReadByTheHandler_400ProblemNamingThePosition(object ingress, string path)
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(ingress, logs);

        var response = await SendAsync(host, Post(path, "{\"id\": 7,\n \"name\": }"));

        Assert.Equal(400, response.StatusCode);
        Assert.Contains("application/problem+json", string.Join(" ", response.Headers));
        var problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("$.name", problem.GetProperty("field").GetString());
        Assert.Equal(1, problem.GetProperty("lineNumber").GetInt64());
        Assert.Equal(9, problem.GetProperty("bytePositionInLine").GetInt64());
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("could not be read as JSON", detail);
        Assert.DoesNotContain("   at ", detail);
        var log = Assert.Single(logs.Records, r => r.Id.Id == ServeEvents.IngressBadRequest);
        Assert.Equal(LogLevel.Debug, log.Level);
        Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Warning);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ExchangeAsync_ContentTypeNotJsonForTheHandlersRead_415ProblemExpectingJson(object ingress, string path)
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(ingress, logs);

        var response = await SendAsync(host, Post(path, """{"id": 7, "name": "lamp"}""", "application/x-www-form-urlencoded"));

        Assert.Equal(415, response.StatusCode);
        var problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal("application/json", Assert.Single(problem.GetProperty("expected").EnumerateArray()).GetString());
        Assert.Equal("application/x-www-form-urlencoded", problem.GetProperty("received").GetString());
        Assert.Contains("-H 'Content-Type: application/json'", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task ExchangeAsync_ValidJsonReadByTheHandler_StillAnswered(object ingress, string path)
    {
        await using var host = await CreateHostAsync(ingress, new RecordingLoggerFactory());

        var response = await SendAsync(host, Post(path, """{"id": 7, "name": "lamp"}"""));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("lamp", JsonDocument.Parse(response.Body).RootElement.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ExchangeAsync_HandlersOwnJsonException_FailsAsTheHandlersBug(bool endpoints)
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(endpoints ? new JsonReadingEndpoints() : new JsonReadingIngress(), logs);

        // The exchange fails: the grain answers it Faulted, and the gateway's answer is a 500.
        await Assert.ThrowsAnyAsync<JsonException>(() => SendAsync(host, Post("/own", "{}")));

        var warning = Assert.Single(logs.Records, r => r.Id.Id == ServeEvents.HandlerFailed);
        Assert.Equal(LogLevel.Warning, warning.Level);
        // Named by public types: System.Text.Json's own JsonReaderException, at its root, is internal.
        Assert.Contains("failed with System.Text.Json.JsonException (status 500", warning.Message);
        Assert.DoesNotContain("JsonReaderException", warning.Message);
        Assert.DoesNotContain(logs.Records, r => r.Id.Id == ServeEvents.IngressBadRequest);
    }

    [Fact]
    public async Task ExchangeAsync_MalformedJsonReadAfterTheResponseBegan_ClientsMistakeLoggedAtDebugOnly()
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(new JsonReadingEndpoints(), logs);

        // Too late for a 400: the response began, so it is cut. Still the client's mistake, not the deployment's bug.
        await Assert.ThrowsAnyAsync<Exception>(() => SendAsync(host, Post("/stream-read", "{\"id\": 7, \"name\": }")));

        var failure = Assert.Single(logs.Records, r => r.Id.Id is ServeEvents.HandlerFailed or ServeEvents.ReplicaCallFailed);
        Assert.Equal(LogLevel.Debug, failure.Level);
        Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task ExchangeAsync_BadHttpRequestExceptionWith4xxFromTheHandler_ThatStatusAsProblem()
    {
        await using var host = await CreateHostAsync(new JsonReadingEndpoints(), new RecordingLoggerFactory());

        var response = await SendAsync(host, Post("/bad", "") with { QueryString = "?status=422" });

        Assert.Equal(422, response.StatusCode);
        Assert.Equal("the 'size' query value is too large", JsonDocument.Parse(response.Body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ExchangeAsync_HandlerThrowsTwice_OneWarningWithTheExceptionThenDebug()
    {
        var logs = new RecordingLoggerFactory();
        await using var host = await CreateHostAsync(new JsonReadingIngress(), logs);

        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(host, Post("/bug", "")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(host, Post("/bug", "")));

        var failures = logs.Records.Where(r => r.Id.Id is ServeEvents.HandlerFailed or ServeEvents.ReplicaCallFailed).ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal(LogLevel.Warning, failures[0].Level);
        Assert.Contains("JsonReadingIngress.HandleAsync failed with System.InvalidOperationException (status 500", failures[0].Message);
        Assert.Equal(LogLevel.Debug, failures[1].Level);
        var logged = Assert.Single(logs.Exceptions, e => e.Id.Id == ServeEvents.HandlerFailed);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }
}
