namespace Serve;

/// <summary>
/// The replica running a call became unreachable mid-call. The call may or may not have run, so it
/// was not retried; mark the call <see cref="CallOptions.Idempotent"/> to have Serve retry it.
/// </summary>
[GenerateSerializer, Alias("serve.replica-unavailable-exception")]
public sealed class ReplicaUnavailableException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public ReplicaUnavailableException(string deployment, string replicaId, Exception? innerException)
        : base($"Replica {replicaId} of deployment '{deployment}' became unavailable during the call; it was not retried because it is not idempotent.", innerException)
    {
        Deployment = deployment;
        ReplicaId = replicaId;
    }

    /// <summary>The deployment, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>The replica that failed.</summary>
    [Id(1)] public string ReplicaId { get; }
}
