using System.Text.Json.Serialization;

namespace Serve;

/// <summary>A replica's state, in Ray Serve's words.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplicaState>))]
public enum ReplicaState
{
    /// <summary>Constructing and initialising; takes no requests.</summary>
    [JsonStringEnumMemberName("STARTING")] Starting,
    /// <summary>Applying a new user config.</summary>
    [JsonStringEnumMemberName("UPDATING")] Updating,
    /// <summary>Being replaced after a failure.</summary>
    [JsonStringEnumMemberName("RECOVERING")] Recovering,
    /// <summary>Serving requests.</summary>
    [JsonStringEnumMemberName("RUNNING")] Running,
    /// <summary>Finishing in-flight requests; takes no new ones.</summary>
    [JsonStringEnumMemberName("STOPPING")] Stopping,
}
