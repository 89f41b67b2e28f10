using Microsoft.AspNetCore.Http;

namespace Serve.Samples.Composition;

/// <summary>
/// Seed example 2: the bound Hello and World deployments arrive as handles; both calls start
/// before either is awaited, then the results are joined. Answers handle calls and HTTP alike.
/// </summary>
[Deployment]
public sealed class Ingress(DeploymentHandle<IMessage> hello, DeploymentHandle<IMessage> world) : IMessage, IHttpIngress
{
    /// <inheritdoc />
    public async Task<string> CallAsync(CancellationToken cancellationToken = default)
    {
        var helloResponse = hello.Remote.CallAsync(cancellationToken);
        var worldResponse = world.Remote.CallAsync(cancellationToken);
        return await helloResponse + await worldResponse;
    }

    /// <inheritdoc />
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => await CallAsync(cancellationToken);

    /// <summary><c>Ingress.bind(Hello.bind(), World.bind())</c>.</summary>
    public static BoundDeployment App() =>
        Deployment.For<Ingress>().Bind(Deployment.For<Hello>().Bind(), Deployment.For<World>().Bind());
}
