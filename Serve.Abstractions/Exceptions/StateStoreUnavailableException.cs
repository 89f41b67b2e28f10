namespace Serve;

/// <summary>
/// The control plane could not store a change because its state store (Redis in a cluster) did not answer. Running
/// applications keep serving meanwhile; the change was not applied to any deployment.
/// </summary>
[GenerateSerializer, Alias("serve.state-store-unavailable-exception")]
public sealed class StateStoreUnavailableException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public StateStoreUnavailableException(string change, string reason)
        : base($"The control plane could not store {change}: its state store did not answer ({reason}). Nothing was applied; running applications keep serving. " +
            "Fix: run the change again once the store (Serve:Cluster:RedisConnectionString) answers. A write that timed out may still have reached the store: " +
            "the status then shows the change, and running it again changes nothing.")
    {
        Change = change;
        Reason = reason;
    }

    /// <summary>What was to be stored, such as <c>application 'shop'</c>.</summary>
    [Id(0)] public string Change { get; }

    /// <summary>The store's error.</summary>
    [Id(1)] public string Reason { get; }
}
