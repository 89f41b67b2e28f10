using Microsoft.AspNetCore.Http;

namespace Serve.Samples.FirstDeployment;

/// <summary>Seed example 1: a deployment whose constructor takes a message and whose call returns it (over a handle or HTTP).</summary>
[Deployment]
public sealed class MyFirstDeployment(string msg) : IMessage, IHttpIngress
{
    /// <inheritdoc />
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult(msg);

    /// <inheritdoc />
    public Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => Task.FromResult<object?>(msg);

    /// <summary><c>MyFirstDeployment.bind("Hello world!")</c>.</summary>
    public static BoundDeployment App() => Deployment.For<MyFirstDeployment>().Bind("Hello world!");
}
