namespace Serve;

/// <summary>The user's method threw inside a replica. The replica keeps serving.</summary>
[GenerateSerializer, Alias("serve.deployment-call-exception")]
public sealed class DeploymentCallException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public DeploymentCallException(string deployment, string replicaId, string method, string exceptionType, string originalMessage, string? remoteStackTrace = null)
        : base($"{method} of deployment '{deployment}' (replica {replicaId}) threw {exceptionType}: {originalMessage}")
    {
        Deployment = deployment;
        ReplicaId = replicaId;
        Method = method;
        ExceptionType = exceptionType;
        OriginalMessage = originalMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The deployment, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>The replica that ran the call.</summary>
    [Id(1)] public string ReplicaId { get; }

    /// <summary>The method that threw.</summary>
    [Id(2)] public string Method { get; }

    /// <summary>
    /// The full name of the exception the user's code threw; when it let out the failure of a deployment it called (this
    /// exception, unhandled), the type at that failure's root, however deep: the message names every deployment on the way.
    /// </summary>
    [Id(3)] public string ExceptionType { get; }

    /// <summary>Its message, followed by those of its inner exceptions (<c> ---&gt; Type: message</c>); cut at 16,384 characters, the cut said so.</summary>
    [Id(4)] public string OriginalMessage { get; }

    /// <summary>
    /// The exception inside the replica as <see cref="Exception.ToString"/> writes it (inner exceptions and stack traces,
    /// those of the deployments it called included), for debugging; cut at 65,536 characters; never shown to HTTP clients
    /// unless the gateway is told to.
    /// </summary>
    [Id(5)] public string? RemoteStackTrace { get; }
}
