using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>What <c>GET /api/serve/applications</c> answers: the gateway's HTTP options and every application.</summary>
internal sealed record ServeDetails
{
    [JsonPropertyName("http_options")] public required HttpOptionsDetails HttpOptions { get; init; }

    [JsonPropertyName("applications")] public IReadOnlyDictionary<string, ApplicationDetails> Applications { get; init; } = new Dictionary<string, ApplicationDetails>();
}
