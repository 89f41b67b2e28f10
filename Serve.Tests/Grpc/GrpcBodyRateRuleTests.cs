using Serve.Grpc;

namespace Serve.Tests.Grpc;

public sealed class GrpcBodyRateRuleTests
{
    [Fact]
    public void KeepsMinDataRate_MethodKnownToTakeOneMessage_True()
    {
        // Unary and server streaming: a client that sends the headers and never the message must not hold the call.
        Assert.True(GrpcBodyRateRule.KeepsMinDataRate(takesClientStream: false));
    }

    [Fact]
    public void KeepsMinDataRate_MethodTakingAClientStream_False()
    {
        // Client streaming, bidirectional: the client may wait for answers before it sends more.
        Assert.False(GrpcBodyRateRule.KeepsMinDataRate(takesClientStream: true));
    }

    [Fact]
    public void KeepsMinDataRate_NoReplicaHasSaid_False()
    {
        // Before any replica reported its methods, a bidirectional client waiting for the server to speak first is possible.
        Assert.False(GrpcBodyRateRule.KeepsMinDataRate(takesClientStream: null));
    }
}
