using Microsoft.Extensions.DependencyInjection;
using Serve.Grains;
using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;
using Serve.Tests.Trust.Targets;

namespace Serve.Tests.Trust;

/// <summary>
/// What a silo builds and runs when a caller of the cluster goes around the controller (as an Orleans client can):
/// only classes of its deployment assemblies, only as its deployment grain holds them, only their own methods.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ReplicaAdmissionTests(SingleSiloFixture fixture) : IDisposable
{
    private readonly string _victim = Path.Combine(Path.GetTempPath(), $"serve-victim-{Guid.NewGuid():N}.txt");

    private IGrainFactory Grains => fixture.Cluster.Client.ServiceProvider.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task StartAsync_FileInfoSpecSentStraightToReplica_RefusedAndNoFileDeleted()
    {
        File.WriteAllText(_victim, "still here");
        var replica = Grains.GetGrain<IReplicaGrain>("intruder/files/v1/0");

        var refused = await Assert.ThrowsAsync<ServeException>(() => replica.StartAsync(FileInfoSpec("intruder", "files", "v1"), CancellationToken.None));
        var call = await replica.InvokeAsync(new ReplicaRequest("Delete", [], "r1", 0), CancellationToken.None);

        Assert.Contains("refused to start", refused.Message);
        Assert.Equal(ReplicaOutcome.RejectedGone, call.Outcome);
        Assert.True(File.Exists(_victim));
    }

    [Fact]
    public async Task StartAsync_FileInfoSpecAppliedToDeploymentGrainFirst_RefusedByTypeAdmission()
    {
        File.WriteAllText(_victim, "still here");
        var spec = FileInfoSpec("intruder2", "files", "v1");
        await Grains.GetGrain<IDeploymentGrain>("intruder2/files").ApplyAsync(spec);
        var replica = Grains.GetGrain<IReplicaGrain>("intruder2/files/v1/99");

        var refused = await Assert.ThrowsAsync<ServeException>(() => replica.StartAsync(spec, CancellationToken.None));
        var call = await replica.InvokeAsync(new ReplicaRequest("Delete", [], "r1", 0), CancellationToken.None);

        Assert.Contains("System.IO.FileInfo", refused.Message);
        Assert.Contains("is not in a deployment assembly of this silo", refused.Message);
        Assert.Equal(ReplicaOutcome.RejectedGone, call.Outcome);
        Assert.True(File.Exists(_victim));
        await Grains.GetGrain<IDeploymentGrain>("intruder2/files").DeleteAsync();
    }

    [Fact]
    public async Task StartAsync_SpecDifferingFromDeploymentGrains_Refused()
    {
        await fixture.Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Bind("Hello"), "admission-mismatch", null);
        var accepted = await Grains.GetGrain<IDeploymentGrain>("admission-mismatch/Greeter").GetSpecAsync();
        var forged = accepted! with { Arguments = [new BoundArgument { Json = "\"Forged\"", TypeName = typeof(string).AssemblyQualifiedName }] };
        var replica = Grains.GetGrain<IReplicaGrain>($"admission-mismatch/Greeter/{accepted.CodeVersion}/1000");

        var refused = await Assert.ThrowsAsync<ServeException>(() => replica.StartAsync(forged, CancellationToken.None));

        Assert.Contains("is not the one deployment 'admission-mismatch/Greeter' holds", refused.Message);
        await fixture.Serve.DeleteAsync("admission-mismatch");
    }

    [Fact]
    public async Task StartAsync_ForgedSpecToRunningReplica_RefusedAndReplicaKeepsServing()
    {
        var handle = await fixture.Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Bind("Hello"), "admission-running", null);
        var replicaId = (await fixture.Serve.GetStatusAsync()).Applications["admission-running"].Deployments["Greeter"].Replicas.Single().ReplicaId;
        var replica = Grains.GetGrain<IReplicaGrain>(replicaId);

        await Assert.ThrowsAsync<ServeException>(() => replica.StartAsync(FileInfoSpec("admission-running", "Greeter", "v1"), CancellationToken.None));

        Assert.StartsWith("Hello", await handle.Remote.WhoAsync());
        Assert.Equal(ReplicaOutcome.Completed, (await replica.InvokeAsync(new ReplicaRequest("Who", [], "r2", 0), CancellationToken.None)).Outcome);
        await fixture.Serve.DeleteAsync("admission-running");
    }

    [Theory]
    [InlineData("health")]
    [InlineData("reconfigure")]
    public async Task ControlCall_ReplicaNobodyStarted_RefusedAndItsActivationGoes(string call)
    {
        // As a health check or reconfiguration late for a replica already stopped makes one: replicas are kept alive, so
        // such an activation would stay for good.
        var replica = Grains.GetGrain<IReplicaGrain>($"linger-{call}/files/v1/0");

        var refused = await Assert.ThrowsAsync<ReplicaNotRunningException>(() => call == "health"
            ? replica.CheckHealthAsync(CancellationToken.None)
            : replica.ReconfigureAsync(FileInfoSpec($"linger-{call}", "files", "v1"), CancellationToken.None));

        Assert.Contains("is not running", refused.Message);
        var management = Grains.GetGrain<IManagementGrain>(0);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await IsActiveAsync() && !deadline.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }
        Assert.False(await IsActiveAsync(), $"replica {replica.GetGrainId()} still has an activation after 10 s");

        async Task<bool> IsActiveAsync() => (await management.GetDetailedGrainStatistics()).Any(s => s.GrainId == replica.GetGrainId());
    }

    [Theory]
    [InlineData("GetType")]
    [InlineData("ToString")]
    [InlineData("GetHashCode")]
    public async Task CallAsync_FrameworkMethodOnRunningDeployment_Refused(string method)
    {
        var handle = await fixture.Serve.RunAsync(Deployment.For<Probe>().Bind(), $"admission-{method.ToLowerInvariant()}", null);

        var refused = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Method(method).CallAsync<object>());

        Assert.Contains($"has no public method '{method}'", refused.Message);
        Assert.NotEmpty(await handle.Method("Who").CallAsync<string>());
        await fixture.Serve.DeleteAsync($"admission-{method.ToLowerInvariant()}");
    }

    [Fact]
    public async Task CallAsync_InheritedFrameworkMemberOfDeployment_RefusedWhileOwnMethodRuns()
    {
        var handle = await fixture.Serve.RunAsync(Deployment.For<WriterDeployment>().Bind(), "admission-writer", null);

        var refused = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Method("Write").CallAsync<object>("x"));

        Assert.Contains("has no public method 'Write'", refused.Message);
        Assert.Equal("echo", await handle.Method("Echo").CallAsync<string>("echo"));
        await fixture.Serve.DeleteAsync("admission-writer");
    }

    public void Dispose() => File.Delete(_victim);

    private DeploymentSpec FileInfoSpec(string application, string name, string version) => new()
    {
        Application = application,
        TypeName = typeof(FileInfo).AssemblyQualifiedName!,
        Arguments = [new BoundArgument { Json = System.Text.Json.JsonSerializer.Serialize(_victim), TypeName = typeof(string).AssemblyQualifiedName }],
        Options = new DeploymentOptions { Name = name },
        CodeVersion = version,
    };
}
