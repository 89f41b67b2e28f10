using System.Diagnostics;
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

    /// <summary>Applications run, at most, until two have their deployment grain on the victim (placement chooses the silo).</summary>
    private const int MaxApplications = 12;

    [Fact]
    public async Task Delete_RightAfterGatewayHostingTheDeploymentKilled_FinishesThroughClientAndCli()
    {
        await cluster.EnsureAllRunningAsync();
        var victim = await cluster.StartGatewayAsync("gateway-doomed");
        var names = new List<string>();
        try
        {
            var onVictim = new List<string>();
            for (var i = 0; i < MaxApplications && onVictim.Count < 2; i++)
            {
                var name = $"del-crash-{i}";
                names.Add(name);
                await cluster.Serve.RunAsync(Deployment.For<WorkloadIngress>().Options(o => o with { NumReplicas = 1 }).Bind(), name, $"/{name}");
                var deployment = cluster.Client.GetGrain<IDeploymentGrain>(new DeploymentId(name, nameof(WorkloadIngress)).Key);
                if ((await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(deployment))?.ToString() == victim.SiloAddress)
                {
                    onVictim.Add(name);
                }
            }
            Assert.True(onVictim.Count == 2, $"Of {names.Count} applications, {onVictim.Count} had their deployment grain placed on {victim.Name}; the test needs 2.");
            // The others were placed on workers: deleted now, they leave only the two whose grains die with the victim.
            foreach (var name in names.Except(onVictim))
            {
                await cluster.Serve.DeleteAsync(name).WaitAsync(Patience);
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
                await cluster.DeleteIfPresentAsync([.. names]).WaitAsync(Patience);
            }
            catch (TimeoutException)
            {
                output.WriteLine($"Cleaning up: deleting [{string.Join(", ", names)}] did not finish within {Patience}.");
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
