namespace Serve.Tests.Deployments;

/// <summary>A default (one thread at a time) replica that calls a <see cref="ThreadSafeProbe"/> through a handle, from its own turn.</summary>
[Deployment]
public sealed class ProbeCaller(DeploymentHandle<IThreadSafeProbe> probe) : IProbeCaller
{
    public async Task<string> WhereAsync(CancellationToken cancellationToken = default) =>
        $"{ThreadSafeProbe.Where()}>{await probe.Remote.WhereAsync(cancellationToken)}";
}
