namespace Serve.Tests.Deployments.Grpc;

/// <summary>What the probe service asks of the ingress it runs in: the label the test gave the application.</summary>
public interface IGrpcProbeLabel
{
    string Label { get; }
}
