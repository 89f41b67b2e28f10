namespace Serve.Samples.Multiplexed;

/// <summary>The JSON body of a request to the multiplexed sample: <c>{"text": "..."}</c>.</summary>
public sealed record ClassifyRequest(string? Text);
