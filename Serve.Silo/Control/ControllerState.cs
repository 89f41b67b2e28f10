using Serve.Grains;

namespace Serve.Control;

/// <summary>What the controller persists: the desired state of every application, and which of them are being deleted.</summary>
[GenerateSerializer, Alias("serve.controller-state")]
internal sealed class ControllerState
{
    [Id(0)] public Dictionary<string, ApplicationSpec> Applications { get; set; } = [];

    /// <summary>Applications whose delete started and has not finished: a controller that takes over finishes them.</summary>
    [Id(1)] public HashSet<string> Deleting { get; set; } = [];
}
