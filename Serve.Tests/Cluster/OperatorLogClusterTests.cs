using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// What an operator reads when a worker running replicas dies and they are replaced: the log of every silo process,
/// tallied. Serve adds one Warning for the loss (what it cost each deployment); placement's refusals never reach Warning;
/// Orleans' own lines (connections refused and probes failed after a kill) are its own. A worker's join is checked the
/// same way where it is tested (<see cref="PlacementWaitClusterTests"/>).
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class OperatorLogClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WorkerKilled_ItsReplicasReplaced_OneWarningFromServeNamingWhatWasLost()
    {
        const string App = "log-loss";
        const string Resource = "lossroom";
        await cluster.EnsureAllRunningAsync();
        WorkerProcess? first = null;
        WorkerProcess? second = null;
        try
        {
            var room = new Dictionary<string, string> { [$"Serve__Silo__Resources__Custom__{Resource}"] = "2" };
            first = await cluster.StartWorkerAsync("worker-loss-a", room);
            second = await cluster.StartWorkerAsync("worker-loss-b", room);
            var app = Deployment.For<Answers>()
                .Options(o => o with { NumReplicas = 2, Resources = new ReplicaResources { Custom = new Dictionary<string, double> { [Resource] = 1 } } })
                .Bind();
            await cluster.Serve.RunAsync<IAnswers>(app, App, null).WaitAsync(Patience);
            var before = await cluster.Serve.WaitForStatusAsync(
                s => s.IsHealthyOn(App, nameof(Answers), 2, [first.SiloAddress!, second.SiloAddress!]), Patience);
            var victimAddress = before.Applications[App].Deployments[nameof(Answers)].Replicas[0].Silo;
            var (victim, survivor) = victimAddress == first.SiloAddress ? (first, second) : (second, first);
            var onVictim = before.Applications[App].Deployments[nameof(Answers)].Replicas.Count(r => r.Silo == victimAddress);

            using var tally = new ClusterLogTally(cluster);
            await victim.KillAsync();
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn(App, nameof(Answers), 2, [survivor.SiloAddress!]), Patience);
            await cluster.WaitForActiveSilosAsync();
            var lostLine = await tally.WaitForLineAsync(l => l.Contains("replica(s) were lost with silo(s)", StringComparison.Ordinal), Patience);

            Report("loss", tally);
            Assert.True(tally.PlacementNoise.Count == 0, string.Join(Environment.NewLine, tally.PlacementNoise.Select(l => $"{l.Silo}: {l.Line}")));
            Assert.Contains($"Deployment {App}/{nameof(Answers)}: {onVictim} replica(s) were lost with silo(s) {victim.SiloAddress}", lostLine, StringComparison.Ordinal);
            // Besides that line, only a health check that happened to reach a victim's replica between the kill and the
            // declared death may say so (the first sign of an unreachable silo, when its death takes long to declare).
            var victimReplicas = before.Applications[App].Deployments[nameof(Answers)].Replicas.Where(r => r.Silo == victimAddress).Select(r => r.ReplicaId).ToList();
            var serveWarnings = tally.WarningsOrAboveFrom("Serve.")
                .Where(l => !(l.Line.Contains("health check failed", StringComparison.Ordinal) && victimReplicas.Any(id => l.Line.Contains($"Replica {id}:", StringComparison.Ordinal))))
                .ToList();
            Assert.True(serveWarnings.Count == 1, $"Serve's lines at Warning or above: {string.Join(Environment.NewLine, serveWarnings.Select(l => l.Line))}");
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync(App).WaitAsync(Patience);
            foreach (var worker in new[] { first, second })
            {
                if (worker is not null)
                {
                    await worker.KillAsync();
                }
            }
            await cluster.WaitForActiveSilosAsync();
        }
    }

    [Fact]
    public async Task WorkerStopped_NoOtherSiloHasRoom_OneWarningNamingEveryDeploymentThatShrinksAndTheyShowUnhealthy()
    {
        // A planned stop (a rolling restart, a scale-in) of a worker whose replicas fit nowhere else: before, each deployment
        // warned on its own (UNHEALTHY, event 3013), then again once the worker was gone (waits for a silo, event 3015),
        // and their applications showed DEPLOYING as if a deploy were under way.
        const string First = "log-stop-a";
        const string Second = "log-stop-b";
        const string Resource = "stoproom";
        await cluster.EnsureAllRunningAsync();
        WorkerProcess? staying = null;
        WorkerProcess? stopping = null;
        try
        {
            var room = new Dictionary<string, string> { [$"Serve__Silo__Resources__Custom__{Resource}"] = "2" };
            staying = await cluster.StartWorkerAsync("worker-stop-a", room);
            stopping = await cluster.StartWorkerAsync("worker-stop-b", room);
            var options = new ReplicaResources { Custom = new Dictionary<string, double> { [Resource] = 1 } };
            foreach (var name in new[] { First, Second })
            {
                await cluster.Serve.RunAsync<IAnswers>(Deployment.For<Answers>().Options(o => o with { NumReplicas = 2, Resources = options }).Bind(), name, null).WaitAsync(Patience);
            }
            await cluster.Serve.WaitForStatusAsync(s => new[] { First, Second }.All(a => s.IsHealthyOn(a, nameof(Answers), 2, [staying.SiloAddress!, stopping.SiloAddress!])), Patience);

            using var tally = new ClusterLogTally(cluster);
            Assert.Equal(0, await stopping.TerminateAsync(Patience));
            await cluster.WaitForActiveSilosAsync();
            var status = await cluster.Serve.WaitForStatusAsync(
                s => new[] { First, Second }.All(a => s.Applications.TryGetValue(a, out var app) && app.Deployments[nameof(Answers)] is { RunningReplicas: 1, Replicas.Count: 1 }
                    && app.Deployments[nameof(Answers)].Replicas[0].Silo == staying.SiloAddress), Patience);

            Report("stop", tally);
            var serveWarnings = tally.WarningsOrAboveFrom("Serve.");
            var warning = Assert.Single(serveWarnings).Line;
            Assert.Contains($"[{ServeEvents.SiloDrainShrinks}] Silo {stopping.SiloAddress} is stopping and 2 replica(s) of 2 deployment(s) fit on no other silo", warning, StringComparison.Ordinal);
            Assert.Contains($"{First}/{nameof(Answers)} (1/2), {Second}/{nameof(Answers)} (1/2)", warning, StringComparison.Ordinal);
            Assert.All(new[] { First, Second }, a =>
            {
                Assert.Equal(ApplicationState.Unhealthy, status.Applications[a].State);
                Assert.Equal(DeploymentState.Unhealthy, status.Applications[a].Deployments[nameof(Answers)].State);
            });
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            foreach (var name in new[] { First, Second })
            {
                await cluster.DeleteIfPresentAsync(name).WaitAsync(Patience);
            }
            foreach (var worker in new[] { staying, stopping })
            {
                if (worker is not null)
                {
                    await worker.KillAsync();
                }
            }
            await cluster.WaitForActiveSilosAsync();
        }
    }

    private void Report(string scenario, ClusterLogTally tally)
    {
        var text = $"{scenario}: {tally.Summary()}{Environment.NewLine}Warning+ lines:{Environment.NewLine}"
            + string.Join(Environment.NewLine, tally.WarningsOrAbove.Select(l => $"  {l.Silo}: {(l.Line.Length > 400 ? l.Line[..400] + "…" : l.Line)}"));
        output.WriteLine(text);
        if (Environment.GetEnvironmentVariable("SERVE_LOG_TALLY") is { Length: > 0 } file)
        {
            File.AppendAllText(file, text + Environment.NewLine + Environment.NewLine);
        }
    }
}
