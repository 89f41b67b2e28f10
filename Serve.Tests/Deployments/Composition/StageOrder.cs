namespace Serve.Tests.Deployments.Composition;

/// <summary>
/// What the last stage of a pipeline of <see cref="Stage"/>s does (<see cref="Action"/>), handed down the whole chain.
/// <paramref name="Gate"/> names a test gate; <paramref name="Size"/> a length or a count.
/// </summary>
public sealed record StageOrder(string Action, string? Gate = null, int Size = 0);
