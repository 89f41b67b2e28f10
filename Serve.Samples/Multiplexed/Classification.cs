using System.Text.Json.Serialization;

namespace Serve.Samples.Multiplexed;

/// <summary>The multiplexed sample's answer.</summary>
/// <param name="Model">The model id that classified the text.</param>
/// <param name="Label">The most likely label.</param>
/// <param name="Scores">Every label's probability, most likely first.</param>
/// <param name="Replica">The replica instance that served the request.</param>
/// <param name="ModelLoadedAt">When that replica loaded (trained) the model.</param>
public sealed record Classification(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("scores")] IReadOnlyDictionary<string, double> Scores,
    [property: JsonPropertyName("replica")] string Replica,
    [property: JsonPropertyName("model_loaded_at")] DateTimeOffset ModelLoadedAt);
