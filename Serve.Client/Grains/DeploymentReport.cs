namespace Serve.Grains;

/// <summary>
/// A deployment's status with its place in the order the deployment grain produced it. Reports are one-way and may
/// arrive out of order (Orleans keeps no order between messages, and two silos talk over more than one connection),
/// and an answer may overtake a report or be overtaken by one: the controller keeps a status only when it is not older
/// than the one it holds.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.deployment-report")]
internal sealed record DeploymentReport
{
    /// <summary>The deployment grain's activation that produced it: numbers order the statuses of one activation only.</summary>
    [Id(0)] public required Guid Activation { get; init; }

    /// <summary>Grows by one with every changed status of the activation; equal numbers carry equal statuses.</summary>
    [Id(1)] public required long Sequence { get; init; }

    [Id(2)] public required DeploymentStatus Status { get; init; }
}
