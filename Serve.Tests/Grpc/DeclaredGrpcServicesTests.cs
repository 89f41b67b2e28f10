using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serve.Http;
using Serve.Tests.Deployments.Grpc;

namespace Serve.Tests.Grpc;

public sealed class DeclaredGrpcServicesTests
{
    [Fact]
    public async Task ClientStreaming_MappedService_ItsClientAndBidirectionalStreamingMethodsByPath()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddGrpc();
        await using var app = builder.Build();
        app.MapGrpcService<GrpcProbeService>();

        Assert.Equal(["/serve.tests.GrpcProbe/Chat", "/serve.tests.GrpcProbe/Greet", "/serve.tests.GrpcProbe/Sum"], DeclaredGrpcServices.ClientStreaming(app));
    }

    [Fact]
    public async Task ClientStreaming_NoGrpcService_Empty()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();
        app.MapGet("/", () => "hi");

        Assert.Empty(DeclaredGrpcServices.ClientStreaming(app));
    }

    [Fact]
    public void HasSameContent_OtherClientStreamingMethods_False()
    {
        var set = new Grains.ReplicaSet { Version = 1, GrpcClientStreaming = ["/p.S/A"] };

        Assert.False(set.HasSameContent(set with { GrpcClientStreaming = ["/p.S/A", "/p.S/B"] }));
        Assert.True(set.HasSameContent(set with { Version = 2, GrpcClientStreaming = ["/p.S/A"] }));
    }
}
