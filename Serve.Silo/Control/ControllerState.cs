using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// What the controller persists: the desired state of every application, which of them are being deleted, the deployments
/// updates dropped and not deleted yet, and how far its route table versions had gone. State stored by an earlier release
/// lacks the later fields and loads with them empty.
/// </summary>
[GenerateSerializer, Alias("serve.controller-state")]
internal sealed class ControllerState
{
    [Id(0)] public Dictionary<string, ApplicationSpec> Applications { get; set; } = [];

    /// <summary>Applications whose delete started and has not finished: a controller that takes over finishes them.</summary>
    [Id(1)] public HashSet<string> Deleting { get; set; } = [];

    /// <summary>
    /// Deployments an update dropped, stored with that update, whose deletes have not finished: a controller that takes
    /// over deletes them (see <see cref="DroppedDeployments"/>).
    /// </summary>
    [Id(2)] public HashSet<DeploymentId> Dropped { get; set; } = [];

    /// <summary>The route table version when this state was last written: the next activation starts past it (see <see cref="RouteVersionStart"/>).</summary>
    [Id(3)] public long RouteVersion { get; set; }
}
