using Serve.Grains;
using Serve.Grpc;

namespace Serve.Tests.Grpc;

public sealed class GrpcServiceTableTests
{
    private static RouteEntry Route(string application, params string[] services) =>
        new("/" + application, application, "Ingress", null) { GrpcServices = services };

    [Fact]
    public void Match_ServiceDeclaredByOneApplication_ThatApplication()
    {
        var table = new GrpcServiceTable([Route("a", "greet.Greeter"), Route("b", "other.Service")]);

        Assert.Equal("a", table.Match("greet.Greeter", null).Route!.Application);
    }

    [Fact]
    public void Match_ApplicationMetadata_WinsOverTheDeclaration()
    {
        var table = new GrpcServiceTable([Route("a", "greet.Greeter"), Route("b")]);

        Assert.Equal("b", table.Match("greet.Greeter", "b").Route!.Application);
    }

    [Fact]
    public void Match_UnknownApplication_NotFoundListingTheApplications()
    {
        var match = new GrpcServiceTable([Route("a"), Route("b")]).Match("greet.Greeter", "c");

        Assert.Equal((null, GrpcStatus.NotFound), (match.Route, match.Status));
        Assert.Contains("'c'", match.Message);
        Assert.Contains("applications: a, b", match.Message);
    }

    [Fact]
    public void Match_LongUnknownApplicationAndService_MessageQuotesThemCut()
    {
        var table = new GrpcServiceTable([Route("a"), Route("b")]);

        var unknown = table.Match("greet.Greeter", new string('c', 15_000));
        var undeclared = table.Match(new string('s', 15_000), null);

        Assert.Contains($"'{new string('c', 300)}…'", unknown.Message);
        Assert.True(unknown.Message.Length < 1_000, unknown.Message);
        Assert.True(undeclared.Message.Length < 1_500, undeclared.Message);
    }

    [Fact]
    public void Match_UndeclaredServiceWithOneApplication_ThatApplicationAsRay()
    {
        Assert.Equal("only", new GrpcServiceTable([Route("only")]).Match("greet.Greeter", null).Route!.Application);
    }

    [Fact]
    public void Match_UndeclaredServiceWithSeveralApplications_UnimplementedSayingHowToRouteIt()
    {
        var match = new GrpcServiceTable([Route("a"), Route("b", "other.Service")]).Match("greet.Greeter", null);

        Assert.Equal((null, GrpcStatus.Unimplemented), (match.Route, match.Status));
        Assert.Contains("[GrpcService(\"greet.Greeter\")]", match.Message);
        Assert.Contains("'application' metadata", match.Message);
    }

    [Fact]
    public void Match_ServiceDeclaredByTwoApplications_UnimplementedNamingBoth()
    {
        var match = new GrpcServiceTable([Route("a", "greet.Greeter"), Route("b", "greet.Greeter")]).Match("greet.Greeter", null);

        Assert.Equal(GrpcStatus.Unimplemented, match.Status);
        Assert.Contains("'a', 'b'", match.Message);
    }

    [Fact]
    public void Match_NoRoutes_UnimplementedSayingNone()
    {
        var match = new GrpcServiceTable([]).Match("greet.Greeter", null);

        Assert.Equal(GrpcStatus.Unimplemented, match.Status);
        Assert.EndsWith("applications: none", match.Message);
    }

    [Fact]
    public void Deleted_CallNamedTheApplication_NotFoundAsForAnApplicationWithoutRouteSayingItWasDeleted()
    {
        var gone = GrpcServiceTable.Deleted(Route("a", "greet.Greeter"), "greet.Greeter", named: true);

        Assert.Equal((null, new GrpcServiceTable([Route("b")]).Match("greet.Greeter", "a").Status), (gone.Route, gone.Status));
        Assert.Equal(GrpcStatus.NotFound, gone.Status);
        Assert.Contains("application 'a'", gone.Message);
        Assert.Contains("was deleted", gone.Message);
    }

    [Fact]
    public void Deleted_CallNamedNoApplication_UnimplementedAsForAServiceNoApplicationServesSayingItWasDeleted()
    {
        var gone = GrpcServiceTable.Deleted(Route("a", "greet.Greeter"), "greet.Greeter", named: false);

        Assert.Equal((null, new GrpcServiceTable([]).Match("greet.Greeter", null).Status), (gone.Route, gone.Status));
        Assert.Equal(GrpcStatus.Unimplemented, gone.Status);
        Assert.Contains("application 'a'", gone.Message);
        Assert.Contains("'greet.Greeter'", gone.Message);
        Assert.Contains("was deleted", gone.Message);
    }
}
