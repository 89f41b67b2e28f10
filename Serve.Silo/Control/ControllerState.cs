using Serve.Grains;

namespace Serve.Control;

/// <summary>What the controller persists: the desired state of every application.</summary>
[GenerateSerializer, Alias("serve.controller-state")]
internal sealed class ControllerState
{
    [Id(0)] public Dictionary<string, ApplicationSpec> Applications { get; set; } = [];
}
