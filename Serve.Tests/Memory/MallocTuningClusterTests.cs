using Serve.Tests.Cluster;
using Xunit.Abstractions;

namespace Serve.Tests.Memory;

/// <summary>
/// Serve's silo processes fix glibc's mmap threshold at start (64 KiB), so freed large blocks go back to the system;
/// <c>Serve:Memory:SetMmapThreshold=false</c> leaves malloc alone. Seen from inside each real process: once its arena's
/// free chunks are used, a 100,000-byte block is mapped on its own under the fixed threshold, and grows the arena under
/// glibc's own (128 KiB at first, and it only rises).
/// </summary>
[Collection(ProcessClusterCollection.Name), Trait("Category", "Cluster")]
public sealed class MallocTuningClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private const int BlockBytes = 100_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_Worker_MapsBlocksFromTheThresholdOnTheirOwn()
    {
        Assert.True(Serve.Memory.GlibcMalloc.Version is not null, "The probe reads glibc's chunk header: these tests run on Linux with glibc.");
        await cluster.EnsureAllRunningAsync();
        try
        {
            var handle = await cluster.Serve.RunAsync<IMallocProbe>(Deployment.For<MallocProbe>().Bind(), "malloc-worker", null);
            var workers = cluster.Workers.Select(w => w.SiloAddress!).ToArray();
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn("malloc-worker", nameof(MallocProbe), 1, workers), Patience);

            Assert.Contains(await handle.Remote.ProcessIdAsync(), cluster.Workers.Select(w => w.ProcessId));
            Assert.True(await handle.Remote.MapsBlocksOfAsync(BlockBytes), $"the worker grew an arena for {BlockBytes}-byte blocks");
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync("malloc-worker");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_GatewayHostWithSetMmapThreshold_MapsBlocksOnTheirOwnOnlyWhenOn(bool on)
    {
        Assert.True(Serve.Memory.GlibcMalloc.Version is not null, "The probe reads glibc's chunk header: these tests run on Linux with glibc.");
        await cluster.EnsureAllRunningAsync();
        var application = $"malloc-gateway-{(on ? "on" : "off")}";
        var resource = $"malloc-{Guid.NewGuid():N}";
        // ServeHost's silo, offering a resource no other silo has, so the probe's replica can only be placed on it.
        var settings = new Dictionary<string, string>
        {
            ["Serve__Silo__HostsReplicas"] = "true",
            [$"Serve__Silo__Resources__Custom__{resource}"] = "1",
        };
        if (!on)
        {
            settings["Serve__Memory__SetMmapThreshold"] = "false";
        }
        await using var gateway = await cluster.StartGatewayAsync(application, settings);
        try
        {
            var handle = await cluster.Serve.RunAsync<IMallocProbe>(
                Deployment.For<MallocProbe>().Options(o => o with { Resources = new ReplicaResources { Custom = new Dictionary<string, double> { [resource] = 1 } } }).Bind(),
                application, null);
            await cluster.Serve.WaitForStatusAsync(s => s.IsHealthyOn(application, nameof(MallocProbe), 1, [gateway.SiloAddress!]), Patience);

            Assert.Equal(gateway.ProcessId, await handle.Remote.ProcessIdAsync());
            Assert.Equal(on, await handle.Remote.MapsBlocksOfAsync(BlockBytes));
        }
        catch
        {
            output.WriteLine(cluster.RecentOutputs());
            throw;
        }
        finally
        {
            await cluster.DeleteIfPresentAsync(application);
            await gateway.TerminateAsync(Patience);
            await cluster.WaitForActiveSilosAsync();
        }
    }
}
