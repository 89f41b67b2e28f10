namespace Serve.Tests.Serialization;

/// <summary>A user's record with a collection and a nested record, and no Orleans attribute.</summary>
public sealed record CountRequest(string Text, IReadOnlyList<string> StopWords, CountOptions Options);
