using Serve.Samples;

namespace Serve.Tests.Deployments.Vision;

/// <summary>A deployment whose short name another namespace's class shares (a team's Vision.Model and Speech.Model).</summary>
[Deployment]
public sealed class Model : IMessage
{
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult("Vision");
}
