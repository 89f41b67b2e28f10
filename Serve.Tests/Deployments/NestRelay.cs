namespace Serve.Tests.Deployments;

/// <summary>Calls its application's <see cref="NestProbe"/> back, by name (a bound handle cannot make a cycle).</summary>
[Deployment(MaxOngoingRequests = 16)]
public sealed class NestRelay(string application, IServeClient serve) : INestRelay
{
    private DeploymentHandle<INestProbe>? _probe;

    public async Task<string> BackAsync(CancellationToken cancellationToken = default)
    {
        _probe ??= serve.GetDeploymentHandle<INestProbe>(nameof(NestProbe), application);
        var inline = NestProbe.InsideARoundTrip;
        var echo = await _probe.Remote.EchoAsync(cancellationToken);
        return $"{echo}|{(inline ? "inline" : "hop")}";
    }
}
