using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// In a cluster that can grow (Redis mode), replicas that fit on no silo wait for one with room to join, as on Ray Serve:
/// a program's <c>RunAsync</c> at start (a gateway that hosts no replicas started before its workers, a model that needs a
/// GPU worker not there yet) waits instead of failing, and the application says what it waits for meanwhile.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class PlacementWaitClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private const string App = "waits-for-silo";
    private const string Resource = "arriveslater";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_ReplicaNeedsWhatNoSiloOffersYet_DeployingNamingTheShortageUntilAWorkerWithItJoins()
    {
        await cluster.EnsureAllRunningAsync();
        WorkerProcess? worker = null;
        try
        {
            var app = Deployment.For<Answers>()
                .Options(o => o with { NumReplicas = 1, Resources = new ReplicaResources { Custom = new Dictionary<string, double> { [Resource] = 1 } } })
                .Bind();

            var run = cluster.Serve.RunAsync<IAnswers>(app, App, null);

            var waiting = await cluster.Serve.WaitForStatusAsync(
                s => s.Applications.TryGetValue(App, out var a) && a.Message.Contains("wait for a silo with room", StringComparison.Ordinal), Patience);
            Assert.Equal(ApplicationState.Deploying, waiting.Applications[App].State);
            Assert.Contains($"needs 1 of '{Resource}'", waiting.Applications[App].Message, StringComparison.Ordinal);
            Assert.False(run.IsCompleted, $"RunAsync ended while no silo offers {Resource}: {(run.IsFaulted ? run.Exception!.InnerException!.Message : "completed")}");

            using var tally = new ClusterLogTally(cluster);
            worker = await cluster.StartWorkerAsync("worker-arrives-later", new Dictionary<string, string> { [$"Serve__Silo__Resources__Custom__{Resource}"] = "1" });

            var answers = await run.WaitAsync(Patience);
            Assert.Equal(5, (await answers.Remote.TextAsync(5).WaitAsync(Patience)).Length);
            var replica = Assert.Single((await cluster.Serve.GetStatusAsync()).Applications[App].Deployments[nameof(Answers)].Replicas);
            Assert.Equal(worker.SiloAddress, replica.Silo);
            // What an operator read meanwhile: no line of Serve's at Warning, no retries of a placement refusal; Orleans'
            // own notes of the joining silo (4 or 5 when measured) are printed, not bounded.
            output.WriteLine($"join: {tally.Summary()}");
            Assert.True(tally.PlacementNoise.Count == 0, string.Join(Environment.NewLine, tally.PlacementNoise.Select(l => $"{l.Silo}: {l.Line}")));
            Assert.Empty(tally.WarningsOrAboveFrom("Serve."));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync(App).WaitAsync(Patience);
            if (worker is not null)
            {
                await worker.KillAsync();
                await cluster.WaitForActiveSilosAsync();
            }
        }
    }
}
