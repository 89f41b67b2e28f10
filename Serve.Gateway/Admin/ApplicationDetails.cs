using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>One application, as the admin API shows it.</summary>
internal sealed record ApplicationDetails
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("status")] public required ApplicationState Status { get; init; }

    [JsonPropertyName("message")] public string Message { get; init; } = "";

    [JsonPropertyName("route_prefix")] public string? RoutePrefix { get; init; }

    [JsonPropertyName("ingress_deployment")] public required string IngressDeployment { get; init; }

    /// <summary>The application's entry of the config it was deployed from; null when it was run from code.</summary>
    [JsonPropertyName("deployed_app_config")] public JsonElement? DeployedAppConfig { get; init; }

    [JsonPropertyName("deployments")] public IReadOnlyDictionary<string, DeploymentDetails> Deployments { get; init; } = new Dictionary<string, DeploymentDetails>();
}
