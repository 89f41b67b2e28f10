namespace Serve.Tests.Deployments;

/// <summary>Calls its application's <see cref="TurnsPing"/> back, by name (a bound handle cannot make a cycle).</summary>
[Deployment]
public sealed class TurnsPong(string application, IServeClient serve) : ITurnsPong
{
    public Task<string> BackAsync(CancellationToken cancellationToken = default) =>
        serve.GetDeploymentHandle<ITurnsPing>(nameof(TurnsPing), application).Remote.EchoAsync(cancellationToken);
}
