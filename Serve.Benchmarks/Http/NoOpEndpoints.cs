using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Benchmarks.Http;

/// <summary>The cheapest endpoints ingress: the no-op answer through the replica's full ASP.NET Core pipeline (routing, endpoint).</summary>
[Deployment]
public sealed class NoOpEndpoints : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGet("/", () => Results.Text("Hello world!"));
}
