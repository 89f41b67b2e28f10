using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Testing;
using Serve.Tests.Deployments;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>
/// Through the gateway, the silo and the replica grain: a client's JSON mistakes answer 4xx, a handler's own failure a 500,
/// and a deployment's failing method is a Warning the first time and Debug after.
/// </summary>
public sealed class HandlerFaultHostTests
{
    private const string ReplicaCategory = "Serve.Replicas.ReplicaGrain";

    private static Task<ServeTestHost> StartAsync(RecordingLoggerFactory logs)
    {
        var options = new ServeTestHostOptions
        {
            ConfigureServices = services => services
                .AddSingleton<ILoggerProvider>(logs)
                // The host logs from Warning up; the replica's repeats are Debug, and this test is about them.
                .Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(null, ReplicaCategory, LogLevel.Debug, null))),
        };
        options.DeploymentAssemblies.Add(typeof(Probe).Assembly);
        return ServeTestHost.StartAsync(options);
    }

    private static StringContent Json(string body, string contentType = "application/json") => new(body, Encoding.UTF8, contentType);

    [Fact]
    public async Task Gateway_IngressReadsMalformedJsonOrWrongTypeOrFailsItself_400Or415Or500()
    {
        var logs = new RecordingLoggerFactory();
        await using var serve = await StartAsync(logs);
        await serve.RunAsync(Deployment.For<JsonReadingIngress>().Bind(), "json-reading");

        using var malformed = await serve.Http.PostAsync("/items", Json("{\"id\": 7, \"name\": }"));
        using var form = await serve.Http.PostAsync("/items", Json("""{"id": 7, "name": "lamp"}""", "application/x-www-form-urlencoded"));
        using var own = await serve.Http.PostAsync("/own", Json("{}"));
        using var valid = await serve.Http.PostAsync("/items", Json("""{"id": 7, "name": "lamp"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var problem = JsonDocument.Parse(await malformed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("$.name", problem.GetProperty("field").GetString());
        Assert.Equal(18, problem.GetProperty("bytePositionInLine").GetInt64());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        // Only the handler's own bug is news to the operator.
        var warning = Assert.Single(logs.Exceptions, r => r.Id.Id == ServeEvents.HandlerFailed);
        Assert.IsType<JsonException>(warning.Exception);
        Assert.Contains("JsonReadingIngress.HandleAsync failed with System.Text.Json.JsonException (status 500", warning.Message);
    }

    [Fact]
    public async Task HandleCall_MethodThrowsTwice_OneWarningWithTheExceptionThenDebug()
    {
        var logs = new RecordingLoggerFactory();
        await using var serve = await StartAsync(logs);
        var handle = await serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "failing-probe", routePrefix: null);

        await Assert.ThrowsAnyAsync<Exception>(() => handle.Remote.FailAsync("first"));
        await Assert.ThrowsAnyAsync<Exception>(() => handle.Remote.FailAsync("second"));

        var failures = logs.Records.Where(r => r.Category == ReplicaCategory && r.Id.Id is ServeEvents.HandlerFailed or ServeEvents.ReplicaCallFailed).ToList();
        Assert.Equal([LogLevel.Warning, LogLevel.Debug], failures.Select(f => f.Level));
        Assert.Contains("FailAsync failed with System.InvalidOperationException (status -", failures[0].Message);
        var logged = Assert.Single(logs.Exceptions, r => r.Id.Id == ServeEvents.HandlerFailed);
        Assert.Equal("first", Assert.IsType<InvalidOperationException>(logged.Exception).Message);
    }
}
