using System.Text.RegularExpressions;
using Serve.Grains;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// The controller keeps one activation when a silo that does not host it dies (<c>kill -9</c>). One of those silos
/// holds its grain directory entry: Orleans' default directory drops that entry, so its host deactivates it and a caller
/// with no cached address (a gateway starting) activates another, while the first may still run a call. The control
/// plane's strongly consistent directory recovers the entry from the live silos instead.
/// </summary>
[Collection(ProcessClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed partial class ControllerDirectoryTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_EachSiloNotHostingController_ControllerKeepsItsOneActivation()
    {
        await cluster.EnsureAllRunningAsync();
        var host = await cluster.FindControllerSiloAsync();
        var controller = cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        var victims = cluster.Silos.Where(s => s.IsRunning && s != host).ToArray();
        // The client reaches the cluster through the workers' gateway ports: one must live for it to see the rest.
        Assert.True(victims.Length >= 2, $"Expected at least 2 silos besides {host.Name}.");
        try
        {
            foreach (var victim in victims)
            {
                var seen = ActivationLines();
                Assert.Equal(1, await cluster.Client.GetGrain<IManagementGrain>(0).GetGrainActivationCount((GrainReference)controller));

                await victim.KillAsync();
                await cluster.WaitForActiveSilosAsync();
                // A gateway starting has no cached address of the controller: it asks the directory, and is ready once
                // the controller answered it. The client's call comes after the silos learnt of the death.
                var newcomer = await cluster.StartGatewayAsync($"gateway-after-{victim.Name}");
                try
                {
                    await cluster.Serve.GetStatusAsync();
                    var activations = await cluster.Client.GetGrain<IManagementGrain>(0).GetGrainActivationCount((GrainReference)controller);
                    var started = ActivationLines().Except(seen).ToArray();
                    output.WriteLine($"Killed {victim.Name}; then {activations} activation(s) of the controller, {started.Length} started: [{string.Join("; ", started)}]");

                    Assert.True(started.Length == 0, $"After {victim.Name} was killed, the controller (on {host.Name}) was activated again: {string.Join("; ", started)}");
                    Assert.Equal(1, activations);
                    Assert.Equal(host, await cluster.FindControllerSiloAsync());
                }
                finally
                {
                    await newcomer.KillAsync();
                    await cluster.EnsureAllRunningAsync();
                }
            }
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
    }

    /// <summary>Every "Controller activated" line the running processes kept, with the process's name (lines carry their time).</summary>
    private HashSet<string> ActivationLines() => cluster.Silos
        .SelectMany(s => s.RecentOutput.Split(Environment.NewLine).Where(l => ActivatedLine().IsMatch(l)).Select(l => $"{s.Name}: {l}"))
        .ToHashSet();

    [GeneratedRegex(@"Controller activated on silo \S+ as activation \S+")]
    private static partial Regex ActivatedLine();
}
