namespace Serve.Tests.Deployments;

/// <summary>A service no host of Serve's registers: only <see cref="TestServiceSetup"/> does, in every process that loads this assembly.</summary>
public sealed record SetupRegisteredService(string Text);
