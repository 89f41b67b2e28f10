namespace Serve.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class GrpcGatewayCollection : ICollectionFixture<GrpcGatewayFixture>
{
    public const string Name = "grpc-gateway";
}
