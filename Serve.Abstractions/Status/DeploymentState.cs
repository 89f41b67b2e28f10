using System.Text.Json.Serialization;

namespace Serve;

/// <summary>A deployment's state, in Ray Serve's words.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeploymentState>))]
public enum DeploymentState
{
    /// <summary>Replicas are starting or stopping to reach the target.</summary>
    [JsonStringEnumMemberName("UPDATING")] Updating,
    /// <summary>All target replicas run and pass their health checks.</summary>
    [JsonStringEnumMemberName("HEALTHY")] Healthy,
    /// <summary>Replicas failed health checks and are being replaced.</summary>
    [JsonStringEnumMemberName("UNHEALTHY")] Unhealthy,
    /// <summary>Replicas could not be started; the message says why.</summary>
    [JsonStringEnumMemberName("DEPLOY_FAILED")] DeployFailed,
    /// <summary>The autoscaler is adding replicas.</summary>
    [JsonStringEnumMemberName("UPSCALING")] Upscaling,
    /// <summary>The autoscaler is removing replicas.</summary>
    [JsonStringEnumMemberName("DOWNSCALING")] Downscaling,
}
