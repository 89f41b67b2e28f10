using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serve.Http;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Http;

/// <summary>The replica's in-process HTTP pipeline on its own, without a cluster.</summary>
public sealed class ReplicaHttpHostTests
{
    private static async Task<ReplicaHttpHost> CreateHostAsync(object ingress)
    {
        var services = new ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IServeClient>(new NoServeClient())
            .BuildServiceProvider();
        return (await ReplicaHttpHost.CreateAsync(ingress, services, CancellationToken.None))!;
    }

    private static HttpRequestData Get(string path, string query = "") => new()
    {
        Method = "GET", Scheme = "http", Host = "localhost", PathBase = "", Path = path, QueryString = query, Headers = [], Body = [],
    };

    [Fact]
    public async Task InvokeAsync_QuickHandler_ReturnsWholeResponse()
    {
        await using var host = await CreateHostAsync(new ShopEndpoints());

        var response = await host.InvokeAsync(Get("/items/2"), "r", "id", CancellationToken.None, () => throw new InvalidOperationException("not streaming"));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(0, response.StreamId);
        Assert.Contains("\"price\":3", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task InvokeAsync_Http2RequestWithTrailers_ReportsProtocolAndReturnsTrailers()
    {
        await using var host = await CreateHostAsync(new ShopEndpoints());

        var response = await host.InvokeAsync(Get("/protocol") with { Protocol = "HTTP/2" }, "r", "id", CancellationToken.None, () => { });

        Assert.Equal("HTTP/2", Encoding.UTF8.GetString(response.Body));
        Assert.Equal(["x-protocol", "HTTP/2"], response.Trailers);
    }

    [Fact]
    public async Task InvokeAsync_ServerSentEvents_ReturnsHeadThenStreamsRest()
    {
        var gate = Gate.Create(nameof(InvokeAsync_ServerSentEvents_ReturnsHeadThenStreamsRest));
        await using var host = await CreateHostAsync(new ShopEndpoints());
        var finished = new TaskCompletionSource();

        var response = await host.InvokeAsync(Get("/sse", $"?gate={gate.Name}"), "r", "id", CancellationToken.None, () => finished.TrySetResult())
            .WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, response.StreamId);
        Assert.Equal("data: first\n\n", Encoding.UTF8.GetString(response.Body));
        gate.Open();
        var rest = new StringBuilder();
        await foreach (var chunk in host.ReadStreamAsync(response.StreamId, CancellationToken.None))
        {
            rest.Append(Encoding.UTF8.GetString(chunk));
        }

        Assert.Equal("data: second\n\n", rest.ToString());
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    internal sealed class NoServeClient : IServeClient
    {
        public Task<DeploymentHandle> RunAsync(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeploymentHandle> RunAsync(BoundDeployment app, RunOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeploymentHandle<T>> RunAsync<T>(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();
        public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ServeStatus> GetStatusAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task ShutdownAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeploymentHandle<T>> GetAppHandleAsync<T>(string name = "default", CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();
        public DeploymentHandle GetDeploymentHandle(string deployment, string application = "default") => throw new NotSupportedException();
        public DeploymentHandle<T> GetDeploymentHandle<T>(string deployment, string application = "default") where T : class => throw new NotSupportedException();
    }
}
