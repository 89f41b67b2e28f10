using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>
/// What <c>GET /api/serve/routes</c> answers: the controller's route table version, the version each live gateway serves,
/// and the gateways that do not serve it yet (a deploy's new routes have reached every gateway when none is behind).
/// </summary>
internal sealed record RoutesDetails
{
    [JsonPropertyName("version")] public long Version { get; init; }

    [JsonPropertyName("gateways")] public IReadOnlyDictionary<string, long> Gateways { get; init; } = new Dictionary<string, long>();

    [JsonPropertyName("behind")] public IReadOnlyList<string> Behind { get; init; } = [];
}
