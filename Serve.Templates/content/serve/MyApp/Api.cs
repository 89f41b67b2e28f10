using Serve;

namespace MyApp;

/// <summary>
/// The application's HTTP ingress: ASP.NET Core minimal-API endpoints that run inside its replicas. The bound
/// <see cref="WordCounter"/> arrives as a typed handle; calls through it go to that deployment's replicas, on any silo.
/// </summary>
[Deployment]
public sealed class Api(DeploymentHandle<IWordCounter> counter) : IHttpEndpoints
{
    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => "MyApp is serving: POST /count {\"text\": \"...\"}");
        endpoints.MapPost("/count", async (CountRequest request, CancellationToken cancellationToken) =>
            new CountResponse(await counter.Remote.CountAsync(request.Text, cancellationToken)));
    }

    /// <summary>The application: <c>Api.bind(WordCounter.bind())</c>. Its import path is <c>MyApp:Api</c>.</summary>
    public static BoundDeployment App() => Deployment.For<Api>().Bind(Deployment.For<WordCounter>().Bind());
}
