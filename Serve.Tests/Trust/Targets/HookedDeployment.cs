namespace Serve.Tests.Trust.Targets;

/// <summary>A deployment with Serve's lifecycle hooks: the runtime calls them, callers cannot.</summary>
[Deployment]
public sealed class HookedDeployment : ICustomHealthCheck, IAsyncInitializable, IReconfigurable, ITwice
{
    public Task CheckHealthAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ReconfigureAsync(System.Text.Json.JsonElement config, CancellationToken cancellationToken) => Task.CompletedTask;

    int ITwice.Twice(int value) => 2 * value;
}
