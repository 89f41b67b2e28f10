namespace Serve.Diagnostics;

/// <summary>The name of Serve's one <see cref="System.Diagnostics.Metrics.Meter"/> and the keys of its tags.</summary>
internal static class ServeMeter
{
    public const string Name = "Serve";

    public const string ApplicationTag = "serve.application";

    public const string DeploymentTag = "serve.deployment";

    /// <summary>The replica's id (<c>application/deployment/version/n</c>): made by Serve, never by a request.</summary>
    public const string ReplicaTag = "serve.replica";

    /// <summary>A replica's state (<see cref="ReplicaState"/>, Ray's spelling such as <c>RUNNING</c>).</summary>
    public const string ReplicaStateTag = "serve.replica.state";

    /// <summary>OpenTelemetry's tag for why an operation failed: the exception's type name; absent when it succeeded.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>How a handle call reached its replica: <c>in_process</c>, <c>data_plane</c> or <c>orleans</c> (see <see cref="Routing.CallTransport"/>).</summary>
    public const string TransportTag = "serve.call.transport";

    /// <summary>Why a router sent a call again: see <see cref="Routing.RetryReason"/>.</summary>
    public const string RetryReasonTag = "serve.retry.reason";

    /// <summary>Bucket bounds, in seconds, of every duration histogram: OpenTelemetry's HTTP ones, sub-millisecond to 10 s.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
}
