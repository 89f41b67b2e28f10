using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve;

/// <summary>
/// An HTTP ingress deployment that maps ASP.NET Core minimal-API endpoints — Serve's counterpart of
/// Ray Serve's FastAPI integration. The endpoints run inside the replica, with route parameters,
/// model binding, <c>Results.*</c> and filters; their routes sit under the application's route prefix.
/// </summary>
public interface IHttpEndpoints
{
    /// <summary>
    /// Registers services the endpoints take by dependency injection. The deployment instance itself,
    /// <see cref="IServeClient"/> and logging are registered already, and what these lack comes from the silo's services
    /// (an <c>IServeServiceSetup</c>'s, the program's), as in an app whose container holds both. Default: nothing more.
    /// </summary>
    void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Maps the endpoints, e.g. <c>endpoints.MapGet("/{name}", (string name) =&gt; $"Hello {name}!")</c>.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
