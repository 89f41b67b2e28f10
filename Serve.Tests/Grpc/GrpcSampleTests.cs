using Grpc.Core;
using Serve.Samples.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcSampleTests(GrpcGatewayFixture fixture)
{
    [Fact]
    public async Task Greeter_UnaryAndServerStreaming_AnsweredThroughTheGateway()
    {
        await fixture.RunAsync(GreeterIngress.App(), "grpc-sample");
        var greeter = new Greeter.GreeterClient(fixture.Channel);

        var hello = await greeter.SayHelloAsync(new HelloRequest { Name = "Corey" });
        using var stream = greeter.SayHellos(new HelloRequest { Name = "Corey", Count = 3 });
        var messages = await stream.ResponseStream.ReadAllAsync().Select(r => r.Message).ToListAsync();
        var invalid = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = greeter.SayHellos(new HelloRequest { Count = 0 });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal("Hello Corey!", hello.Message);
        Assert.Equal(["Hello Corey (1 of 3)!", "Hello Corey (2 of 3)!", "Hello Corey (3 of 3)!"], messages);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        await fixture.Serve.DeleteAsync("grpc-sample");
    }
}
