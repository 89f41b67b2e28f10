namespace Serve.Tests.Gateway.Fuzz;

/// <summary>What one exchange got: the answers read (several for a pipeline) and how it ended.</summary>
public sealed record FuzzOutcome(IReadOnlyList<RawHttpResponse> Responses, FuzzEnd End);
