using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Replicas;

/// <summary>
/// A replica never trusts the spec its caller sends: it builds only what its deployment grain holds, so a client that
/// calls the replica grain directly cannot make it build a class of its choosing.
/// </summary>
internal sealed partial class ReplicaGrain
{
    private async Task<DeploymentSpec> AcceptedSpecAsync(DeploymentSpec offered)
    {
        DeploymentSpec? accepted = null;
        if (ReplicaSpecCheck.TryParseKey(ReplicaId, out var deploymentKey, out _))
        {
            accepted = await GrainFactory.GetGrain<IDeploymentGrain>(deploymentKey).GetSpecAsync();
        }
        if (ReplicaSpecCheck.Problem(ReplicaId, offered, accepted) is { } problem)
        {
            LogSpecRefused(_logger, ReplicaId, problem);
            if (_instance is null && _starting is null)
            {
                // Nothing runs here: the activation must not linger. A replica already running keeps serving.
                DeactivateOnIdle();
            }
            throw new ServeException(problem);
        }
        return accepted!;
    }

    [LoggerMessage(EventId = ServeEvents.ReplicaSpecRefused, Level = LogLevel.Warning, Message = "Replica {Replica}: {Problem}")]
    private static partial void LogSpecRefused(ILogger logger, string replica, string problem);
}
