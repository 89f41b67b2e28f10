using System.Text.Json.Serialization;

namespace Serve;

/// <summary>An application's state, in Ray Serve's words: the worst of its deployments.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ApplicationState>))]
public enum ApplicationState
{
    /// <summary>Known but not yet being deployed.</summary>
    [JsonStringEnumMemberName("NOT_STARTED")] NotStarted,
    /// <summary>Replicas are starting.</summary>
    [JsonStringEnumMemberName("DEPLOYING")] Deploying,
    /// <summary>Every deployment is healthy at its target.</summary>
    [JsonStringEnumMemberName("RUNNING")] Running,
    /// <summary>A deployment could not start; the message says why.</summary>
    [JsonStringEnumMemberName("DEPLOY_FAILED")] DeployFailed,
    /// <summary>A deployment failed its health checks.</summary>
    [JsonStringEnumMemberName("UNHEALTHY")] Unhealthy,
    /// <summary>Being deleted.</summary>
    [JsonStringEnumMemberName("DELETING")] Deleting,
}
