namespace Serve.Tests.Serialization;

/// <summary>A user's class with init-only properties, a nested class and an array.</summary>
public sealed class Document
{
    public required string Title { get; init; }

    public required string Body { get; init; }

    public string[] StopWords { get; init; } = [];

    public DocumentMeta Meta { get; init; } = new();
}
