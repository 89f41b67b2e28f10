using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// What an operator reads when a worker joins a cluster whose deployment waits for room, and when a worker running
/// replicas dies and they are replaced: the log of every silo process, tallied. Serve adds one Warning for a loss (what
/// it cost each deployment) and none for a join; placement's refusals (a silo not yet placeable) never reach Warning.
/// Orleans' own lines (a joining silo's notes, connections refused and probes failed after a kill) are its own.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class OperatorLogClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WorkerJoins_DeploymentWaitingForIt_NoWarningFromServeOrPlacement()
    {
        const string App = "log-join";
        const string Resource = "joinslater";
        await cluster.EnsureAllRunningAsync();
        WorkerProcess? worker = null;
        try
        {
            var app = Deployment.For<Answers>()
                .Options(o => o with { NumReplicas = 2, Resources = new ReplicaResources { Custom = new Dictionary<string, double> { [Resource] = 1 } } })
                .Bind();
            var run = cluster.Serve.RunAsync<IAnswers>(app, App, null);
            await cluster.Serve.WaitForStatusAsync(
                s => s.Applications.TryGetValue(App, out var a) && a.Message.Contains("wait for a silo with room", StringComparison.Ordinal), Patience);

            using var tally = new ClusterLogTally(cluster);
            worker = await cluster.StartWorkerAsync("worker-joins", new Dictionary<string, string> { [$"Serve__Silo__Resources__Custom__{Resource}"] = "2" });
            await run.WaitAsync(Patience);
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn(App, nameof(Answers), 2, [worker.SiloAddress!]), Patience);

            Report("join", tally);
            AssertNoPlacementNoise(tally);
            // Orleans' own lines (4 or 5 when measured: the joining silo's notes on its GC mode and its directory range's
            // lease) are reported, not bounded: how many a loaded machine adds is Orleans' business, not this test's.
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
            AssertNoPlacementNoise(tally);
            Assert.Contains($"Deployment {App}/{nameof(Answers)}: {onVictim} replica(s) were lost with silo(s) {victim.SiloAddress}", lostLine, StringComparison.Ordinal);
            var serveWarnings = tally.WarningsOrAboveFrom("Serve.");
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

    /// <summary>No retry warnings of Orleans' placement pipeline (Polly), no "Failed to address message" errors (event 100071).</summary>
    private static void AssertNoPlacementNoise(ClusterLogTally tally)
    {
        var noise = tally.WarningsOrAboveFrom("Polly").Concat(tally.WarningsOrAbove.Where(l => l.Line.Contains("Failed to address message", StringComparison.Ordinal))).ToList();
        Assert.True(noise.Count == 0, string.Join(Environment.NewLine, noise.Select(l => $"{l.Silo}: {l.Line}")));
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
