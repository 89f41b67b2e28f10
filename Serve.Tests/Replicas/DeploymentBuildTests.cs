using Microsoft.Extensions.DependencyInjection;
using Serve.Applications;
using Serve.Grains;
using Serve.Testing;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Replicas;

/// <summary>
/// A worker that loaded another build of a deployment's assembly than the one its spec was made from (new code rolled out to
/// the workers, the gateway that applied the config still holding the old build) says so, with the fix: deploy again from a
/// gateway that has the new build. Before, a constructor the old graph did not bind failed every start with 'Fix: bind it in
/// position 2', pointing at code that was right.
/// </summary>
public sealed class DeploymentBuildTests
{
    private static DeploymentSpec SpecOf<T>(string? build) =>
        ApplicationGraph.Build(Deployment.For<Probe>().Bind(), "app", null).Deployments[0] with { TypeName = typeof(T).AssemblyQualifiedName!, Build = build };

    [Fact]
    public void Of_SameType_IsItsAssemblysModuleVersionId()
    {
        Assert.Equal(typeof(Probe).Assembly.ManifestModule.ModuleVersionId.ToString("N"), DeploymentBuild.Of(typeof(Probe)));
    }

    [Fact]
    public void Build_Application_SpecCarriesTheBuildOfTheClassItWasMadeFrom()
    {
        var spec = ApplicationGraph.Build(Deployment.For<Probe>().Bind(), "app", null);

        Assert.Equal(DeploymentBuild.Of(typeof(Probe)), Assert.Single(spec.Deployments).Build);
    }

    [Fact]
    public void Mismatch_SameBuildOrSpecOfAnEarlierRelease_Null()
    {
        Assert.Null(DeploymentBuild.Mismatch(SpecOf<Probe>(DeploymentBuild.Of(typeof(Probe))), typeof(Probe), "process x (pid 1)"));
        Assert.Null(DeploymentBuild.Mismatch(SpecOf<Probe>(null), typeof(Probe), "process x (pid 1)"));
    }

    [Fact]
    public void Mismatch_OtherBuild_NamesBothBuildsWhereItLoadedAndTheFix()
    {
        var deployed = Guid.Parse("0123456789abcdef0123456789abcdef").ToString("N");

        var message = DeploymentBuild.Mismatch(SpecOf<Probe>(deployed), typeof(Probe), "process Serve.Silo (pid 42)");

        Assert.Equal(
            $"process Serve.Silo (pid 42) loaded build {DeploymentBuild.Of(typeof(Probe))[..8]} of Serve.Tests from {typeof(Probe).Assembly.Location}, not build 01234567, "
            + "the one deployment 'app/Probe' was deployed with (the copy of Serve.Tests in the process that applied its config or ran it from code). "
            + "Fix: give every gateway and worker the same build of Serve.Tests (Serve:Assemblies), then apply the config again (serve deploy) through a gateway that has it.",
            message);
    }

    [Fact]
    public async Task StartAsync_SpecOfAnotherBuildThatDoesNotBindTheConstructor_DeployFailedNamingTheBuildsAndTheFix()
    {
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions { DeploymentAssemblies = { typeof(Probe).Assembly } });
        // The old build's graph: a class whose constructor took nothing; the silo's build takes a handle there.
        var old = ApplicationGraph.Build(Deployment.For<Probe>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind(), "rolled", null);
        var spec = old with { Deployments = [old.Deployments[0] with { TypeName = typeof(ProbeCaller).AssemblyQualifiedName!, Build = Guid.NewGuid().ToString("N") }] };

        await serve.Services.GetRequiredService<IGrainFactory>().GetGrain<IControllerGrain>(IControllerGrain.Key).DeployApplicationAsync(spec);
        var status = await serve.Client.WaitForAsync(s => s.Applications.TryGetValue("rolled", out var app) && app.State == ApplicationState.DeployFailed);

        var message = status.Deployment("rolled", "Probe").Message;
        Assert.Contains("parameter 'probe'", message);
        Assert.Contains("But process ", message);
        Assert.Contains("then apply the config again (serve deploy) through a gateway that has it.", message);
    }

    [Fact]
    public async Task StartAsync_ConstructorThrowsOnASiloOfAnotherBuild_FailureNamesTheSiloAndBothBuilds()
    {
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions { DeploymentAssemblies = { typeof(ThrowingConstructor).Assembly } });
        // Deployed from another build of the assembly than this silo's: works on the worker that has it, fails on this one.
        var deployed = Guid.NewGuid().ToString("N");
        var graph = ApplicationGraph.Build(Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("MODEL_HOME is not set"), "mixed", null);
        var spec = graph with { Deployments = [graph.Deployments[0] with { Build = deployed }] };

        await serve.Services.GetRequiredService<IGrainFactory>().GetGrain<IControllerGrain>(IControllerGrain.Key).DeployApplicationAsync(spec);
        var status = await serve.Client.WaitForAsync(s => s.Applications.TryGetValue("mixed", out var app) && app.State == ApplicationState.DeployFailed);

        var message = status.Deployment("mixed", nameof(ThrowingConstructor)).Message;
        Assert.Contains("System.InvalidOperationException: MODEL_HOME is not set", message, StringComparison.Ordinal);
        Assert.Contains(", which runs another build than its deployment's: its process ", message, StringComparison.Ordinal);
        Assert.Contains($" loaded build {DeploymentBuild.Of(typeof(ThrowingConstructor))[..8]} of Serve.Tests from ", message, StringComparison.Ordinal);
        Assert.Contains($", not build {deployed[..8]}, the one deployment 'mixed/ThrowingConstructor' was deployed with", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ConstructorThrowsOnASiloOfTheSameBuild_FailureSaysNothingOfBuilds()
    {
        await using var serve = await ServeTestHost.StartAsync(new ServeTestHostOptions { DeploymentAssemblies = { typeof(ThrowingConstructor).Assembly } });
        var spec = ApplicationGraph.Build(Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("MODEL_HOME is not set"), "same", null);

        await serve.Services.GetRequiredService<IGrainFactory>().GetGrain<IControllerGrain>(IControllerGrain.Key).DeployApplicationAsync(spec);
        var status = await serve.Client.WaitForAsync(s => s.Applications.TryGetValue("same", out var app) && app.State == ApplicationState.DeployFailed);

        var message = status.Deployment("same", nameof(ThrowingConstructor)).Message;
        Assert.Contains("MODEL_HOME is not set", message, StringComparison.Ordinal);
        Assert.DoesNotContain("another build", message, StringComparison.Ordinal);
    }
}
