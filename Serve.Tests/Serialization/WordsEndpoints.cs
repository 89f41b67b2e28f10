using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Serve.Tests.Serialization;

/// <summary>A minimal-API ingress that binds the user's record from JSON and passes it on through a typed handle.</summary>
[Deployment]
public sealed class WordsEndpoints(DeploymentHandle<IWordCounter> counter) : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/count", (CountRequest request, CancellationToken cancellationToken) => counter.Remote.CountAsync(request, cancellationToken));
}
