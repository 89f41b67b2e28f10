namespace Serve;

/// <summary>One decision of a deployment's autoscaler, as the deployment took it: when, from how many replicas to how many, and why.</summary>
[GenerateSerializer, Immutable, Alias("serve.scaling-event")]
public sealed record ScalingEvent
{
    /// <summary>When the deployment took the decision.</summary>
    [Id(0)] public required DateTimeOffset At { get; init; }

    /// <summary>The target replica count before.</summary>
    [Id(1)] public required int FromReplicas { get; init; }

    /// <summary>The target replica count the autoscaler chose.</summary>
    [Id(2)] public required int ToReplicas { get; init; }

    /// <summary>The autoscaler's reason, in words.</summary>
    [Id(3)] public string Reason { get; init; } = "";
}
