namespace Serve.Tests.Deployments;

/// <summary>Calls its application's <see cref="TurnsPing"/> back, by name (a bound handle cannot make a cycle).</summary>
[Deployment]
public sealed class TurnsPong(string application, IServeClient serve) : ITurnsPong
{
    private DeploymentHandle<ITurnsPing>? _ping;

    public Task<string> BackAsync(CancellationToken cancellationToken = default)
    {
        _ping ??= serve.GetDeploymentHandle<ITurnsPing>(nameof(TurnsPing), application);
        return _ping.Remote.EchoAsync(cancellationToken);
    }
}
