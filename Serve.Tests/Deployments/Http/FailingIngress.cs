using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Deployments.Http;

/// <summary>An HTTP ingress whose constructor always throws: its deployment ends DEPLOY_FAILED.</summary>
[Deployment]
public sealed class FailingIngress : IHttpIngress
{
    public FailingIngress(string reason) => throw new InvalidOperationException(reason);

    public Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => Task.FromResult<object?>("never");
}
