using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>What <c>GET /api/serve/applications</c> answers: the gateway's HTTP options and every application.</summary>
internal sealed record ServeDetails
{
    public const string HttpOptionsName = "http_options";
    public const string ApplicationsName = "applications";

    [JsonPropertyName(HttpOptionsName)] public required HttpOptionsDetails HttpOptions { get; init; }

    [JsonPropertyName(ApplicationsName)] public IReadOnlyDictionary<string, ApplicationDetails> Applications { get; init; } = new Dictionary<string, ApplicationDetails>();
}
