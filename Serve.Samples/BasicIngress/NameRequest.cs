namespace Serve.Samples.BasicIngress;

/// <summary>The JSON body of seed example 3: <c>{"name": "Corey"}</c>.</summary>
public sealed record NameRequest(string Name);
