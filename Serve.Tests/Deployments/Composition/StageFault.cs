namespace Serve.Tests.Deployments.Composition;

/// <summary>An exception type of the application's own, which a caller outside it may not have.</summary>
public sealed class StageFault(string message) : Exception(message);
