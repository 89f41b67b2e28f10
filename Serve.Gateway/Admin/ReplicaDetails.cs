using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>
/// One replica, as the admin API shows it; <c>multiplexed_model_ids</c> only when it holds models; <c>build</c>, the build
/// of the deployment's assembly its silo runs, once it started (compare the deployment's <c>build</c>).
/// </summary>
internal sealed record ReplicaDetails(
    [property: JsonPropertyName("replica_id")] string ReplicaId,
    [property: JsonPropertyName("state")] ReplicaState State,
    [property: JsonPropertyName("silo")] string? Silo,
    [property: JsonPropertyName("multiplexed_model_ids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Models = null,
    [property: JsonPropertyName("build"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Build = null);
