using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Samples.FastApiIngress;

/// <summary>Seed example 4: minimal-API endpoints run inside the replica, like Ray's <c>@serve.ingress(app)</c> with FastAPI.</summary>
[Deployment]
public sealed class FastApiIngress : IHttpEndpoints
{
    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/{name}", (string name) => Results.Text($"Hello {name}!"));

    /// <summary><c>FastAPIDeployment.bind()</c>.</summary>
    public static BoundDeployment App() => Deployment.For<FastApiIngress>().Bind();
}
