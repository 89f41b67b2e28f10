namespace Serve.Tests.Deployments.Http;

public sealed record EchoReply(string Label, string Method, string PathBase, string Path, string Query, string RequestId, string Body, string Silo);
