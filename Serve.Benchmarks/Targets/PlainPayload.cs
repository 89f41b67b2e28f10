namespace Serve.Benchmarks.Targets;

/// <summary>A user's record as written without Orleans: it crosses as JSON (Serve's fallback).</summary>
public sealed record PlainPayload(string Id, int Count, double[] Scores, IReadOnlyList<PlainItem> Items);
