using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// A worker's kill -9 costs the replicas it ran, and only those: the replicas on the surviving worker keep running, the
/// same instances (a replica restarted elsewhere would reload its model). Orleans' default grain directory drops the
/// entries a dead silo owned, whatever silo their grains run on; a call then starts a second activation of such a
/// replica, and the first is lost.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class SurvivorReplicasTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_OneWorker_ReplicasOnTheOtherKeepRunningUntouched()
    {
        await cluster.EnsureAllRunningAsync();
        var (survivor, victim) = (cluster.Workers[0], cluster.Workers[1]);
        var app = Deployment.For<Workload>().Options(o => o with { NumReplicas = 12 }).Bind();
        await cluster.Serve.RunAsync<IWorkload>(app, "survivors", null);
        try
        {
            var before = await cluster.Serve.WaitForStatusAsync(
                s => s.IsHealthyOn("survivors", "Workload", 12, [survivor.SiloAddress!, victim.SiloAddress!]), Patience);
            var onSurvivor = before.Applications["survivors"].Deployments["Workload"].Replicas
                .Where(r => r.Silo == survivor.SiloAddress).Select(r => r.ReplicaId).ToHashSet();
            Assert.NotEmpty(onSurvivor);

            await victim.KillAsync();
            var after = await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("survivors", "Workload", 12, [survivor.SiloAddress!]), Patience);

            var now = after.Applications["survivors"].Deployments["Workload"].Replicas.Select(r => r.ReplicaId).ToHashSet();
            var replaced = onSurvivor.Except(now).ToArray();
            Assert.True(replaced.Length == 0, $"{replaced.Length} of the survivor's {onSurvivor.Count} replicas were replaced: {string.Join(", ", replaced)}");
            Assert.DoesNotContain(survivor.RecentOutput.Split('\n'), line => onSurvivor.Any(id => line.Contains($"Replica {id} stopped", StringComparison.Ordinal)));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.EnsureAllRunningAsync();
            await cluster.DeleteIfPresentAsync("survivors").WaitAsync(Patience);
        }
    }
}
