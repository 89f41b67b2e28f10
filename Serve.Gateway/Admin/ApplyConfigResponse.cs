using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>What <c>PUT /api/serve/applications</c> did.</summary>
internal sealed record ApplyConfigResponse
{
    [JsonPropertyName("created")] public IReadOnlyList<string> Created { get; init; } = [];

    [JsonPropertyName("updated")] public IReadOnlyList<string> Updated { get; init; } = [];

    [JsonPropertyName("unchanged")] public IReadOnlyList<string> Unchanged { get; init; } = [];

    /// <summary>
    /// Applications of <c>unchanged</c> whose last deploy had failed: they are being deployed again, as running the same
    /// config again does in Ray. Absent from a gateway of an earlier release.
    /// </summary>
    [JsonPropertyName("retried")] public IReadOnlyList<string> Retried { get; init; } = [];

    /// <summary>Applications deployed from a config that this config does not list: they are being deleted.</summary>
    [JsonPropertyName("deleted")] public IReadOnlyList<string> Deleted { get; init; } = [];

    /// <summary>
    /// Applications run from code (<c>RunAsync</c>) that the config does not name: a config does not own them, so they were
    /// left running, as Ray keeps declarative and imperative applications apart. <c>DELETE /api/serve/applications/{name}</c>
    /// deletes one.
    /// </summary>
    [JsonPropertyName("kept")] public IReadOnlyList<string> Kept { get; init; } = [];

    /// <summary>
    /// The route table version that routes to what the config deployed (see <c>GET /api/serve/routes</c>): its changes have
    /// reached every gateway once none serves an older one. Absent from a gateway of an earlier release.
    /// </summary>
    [JsonPropertyName("route_version")] public long? RouteVersion { get; init; }

    /// <summary>
    /// Parts of the config that were valid but had no effect, such as http_options a running gateway cannot change, and
    /// what building its applications pointed out, such as settings under which a replica never gathers a full batch.
    /// </summary>
    [JsonPropertyName("warnings")] public IReadOnlyList<string> Warnings { get; init; } = [];
}
