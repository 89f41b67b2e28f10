namespace Serve;

/// <summary>
/// The caller's queue for a deployment already holds <see cref="DeploymentOptions.MaxQueuedRequests"/>
/// requests; the call was refused at once and never ran. Retry later (HTTP 503).
/// </summary>
[GenerateSerializer, Alias("serve.back-pressure-exception")]
public sealed class BackPressureException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public BackPressureException(string deployment, int maxQueuedRequests)
        : base($"Deployment '{deployment}' is at capacity: {maxQueuedRequests} request(s) already queued (MaxQueuedRequests). The request was not run; retry later or raise MaxQueuedRequests/NumReplicas.")
    {
        Deployment = deployment;
        MaxQueuedRequests = maxQueuedRequests;
    }

    /// <summary>The deployment, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>The queue bound that was reached.</summary>
    [Id(1)] public int MaxQueuedRequests { get; }
}
