using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>One replica, as the admin API shows it.</summary>
internal sealed record ReplicaDetails(
    [property: JsonPropertyName("replica_id")] string ReplicaId,
    [property: JsonPropertyName("state")] ReplicaState State,
    [property: JsonPropertyName("silo")] string? Silo);
