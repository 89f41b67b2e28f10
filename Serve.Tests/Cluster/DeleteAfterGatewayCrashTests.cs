using System.Diagnostics;
using Orleans.Runtime.Placement;
using Serve.Cli;
using Serve.Grains;
using Serve.Tests.Cli;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// Deleting applications right after a gateway silo was killed (<c>kill -9</c>), while another gateway lives: the
/// deletes must not depend on the dead gateway, whatever grains it hosted.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class DeleteAfterGatewayCrashTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>Far above the deletes' bound (the victim's death detection, 1–2 s here, and a retry), far below forever.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Delete_RightAfterGatewayHostingTheDeploymentKilled_FinishesThroughClientAndCli()
    {
        await cluster.EnsureAllRunningAsync();
        var victim = await cluster.StartGatewayAsync("gateway-doomed");
        string[] onVictim = ["del-crash-client", "del-crash-cli"];
        try
        {
            // Their deployment grains go to the victim, as Orleans' default placement often puts them on a gateway (it hosts
            // no replicas, so it looks the least loaded): the hint travels with the controller's first call to each, which
            // activates it. Left to placement, 3 runs of 12 applications put 1, 2 and 0 of them there.
            var victimAddress = (await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.Single(s => s.ToString() == victim.SiloAddress);
            foreach (var name in onVictim)
            {
                RequestContext.Set(IPlacementDirector.PlacementHintKey, victimAddress);
                try
                {
                    await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 1 }).Bind(), name, $"/{name}");
                }
                finally
                {
                    RequestContext.Remove(IPlacementDirector.PlacementHintKey);
                }
                var deployment = cluster.Client.GetGrain<IDeploymentGrain>(new DeploymentId(name, nameof(WorkloadIngress)).Key);
                var host = (await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(deployment))?.ToString();
                Assert.True(host == victim.SiloAddress, $"{name}'s deployment grain is on {host}, not on {victim.Name} ({victim.SiloAddress}).");
            }

            await victim.KillAsync();
            var clock = Stopwatch.StartNew();
            var byClient = Task.Run(async () =>
            {
                await cluster.Serve.DeleteAsync(onVictim[0]);
                return clock.Elapsed;
            });
            var byCli = Task.Run(async () =>
                (Result: await RunCliAsync("delete", onVictim[1], "--address", cluster.Gateway.AdminAddress!.ToString(), "--timeout", "40"), Took: clock.Elapsed));
            var clientTook = await byClient.WaitAsync(Patience);
            var (cli, cliTook) = await byCli.WaitAsync(Patience);
            output.WriteLine($"Deleted {clientTook.TotalSeconds:F1} s (IServeClient.DeleteAsync) and {cliTook.TotalSeconds:F1} s (serve delete) after {victim.Name} was killed.");
            WriteLinesAbout(onVictim);

            Assert.True(cli.ExitCode == ExitCodes.Ok, $"serve delete exited {cli.ExitCode}: {cli.Error}");
            var status = await cluster.Serve.GetStatusAsync();
            Assert.DoesNotContain(onVictim[0], status.Applications.Keys);
            Assert.DoesNotContain(onVictim[1], status.Applications.Keys);
        }
        catch
        {
            foreach (var (name, app) in (await cluster.Serve.GetStatusAsync()).Applications)
            {
                output.WriteLine($"{name}: {app.State} '{app.Message}'");
            }
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await victim.KillAsync();
            await cluster.WaitForActiveSilosAsync();
            try
            {
                await cluster.DeleteIfPresentAsync(onVictim).WaitAsync(Patience);
            }
            catch (TimeoutException)
            {
                output.WriteLine($"Cleaning up: deleting [{string.Join(", ", onVictim)}] did not finish within {Patience}.");
            }
        }
    }

    /// <summary>What the silos logged about <paramref name="applications"/> (retries, stops, deletions), with their times.</summary>
    private void WriteLinesAbout(IReadOnlyList<string> applications)
    {
        foreach (var silo in cluster.Silos)
        {
            foreach (var line in silo.RecentOutput.Split(Environment.NewLine).Where(l => applications.Any(a => l.Contains(a, StringComparison.Ordinal))))
            {
                output.WriteLine($"{silo.Name}: {(line.Length > 400 ? line[..400] : line)}");
            }
        }
    }

    private static async Task<CliResult> RunCliAsync(params string[] args)
    {
        var (output, error) = (new CapturedWriter(), new CapturedWriter());
        var exit = await ServeCli.RunAsync(args, new CliConsole { Out = output, Error = error, Environment = _ => null }, CancellationToken.None);
        return new CliResult(exit, output.Text, error.Text);
    }
}
