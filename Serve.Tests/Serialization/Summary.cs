namespace Serve.Tests.Serialization;

/// <summary>What the summarizer returns: the counter's answers through a typed and a by-name handle, and where it ran.</summary>
public sealed record Summary(string Title, CountResult Typed, CountResult ByName, string Silo);
