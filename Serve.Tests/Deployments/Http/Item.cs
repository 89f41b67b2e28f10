namespace Serve.Tests.Deployments.Http;

public sealed record Item(int Id, string Name);
