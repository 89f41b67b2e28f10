using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>The answering gateway's HTTP options, in the config file's terms.</summary>
internal sealed record HttpOptionsDetails(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("request_timeout_s")] double? RequestTimeoutSeconds);
