namespace Serve.Tests.Cluster;

/// <summary>One span as <see cref="SpanFileTelemetry"/> wrote it.</summary>
public sealed record SpanRecord(
    int ProcessId, string TraceId, string SpanId, string? ParentSpanId, string Operation, string Name, string Kind, string Status,
    string? StatusDescription, Dictionary<string, string?> Tags, List<string> Events)
{
    public string? Tag(string key) => Tags.GetValueOrDefault(key);
}
