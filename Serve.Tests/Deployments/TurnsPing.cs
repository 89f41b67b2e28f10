namespace Serve.Tests.Deployments;

/// <summary>A default replica whose call goes to <see cref="TurnsPong"/> and comes back to it (A → B → A).</summary>
[Deployment]
public sealed class TurnsPing(DeploymentHandle<ITurnsPong> pong) : ITurnsPing
{
    private bool _inFirstPart;

    public async Task<string> RoundTripAsync(CancellationToken cancellationToken = default)
    {
        Task<string> back;
        _inFirstPart = true;
        try
        {
            back = pong.Remote.BackAsync(cancellationToken);
        }
        finally
        {
            _inFirstPart = false;
        }
        return await back;
    }

    public Task<string> EchoAsync(CancellationToken cancellationToken = default) => Task.FromResult(_inFirstPart ? "nested" : "after");
}
