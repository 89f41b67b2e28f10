using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// A program that deploys its application at start (the samples', the template's: <c>RunAsync</c>, then
/// <c>WaitForShutdownAsync</c>) stops at Ctrl+C or SIGTERM even while its application is not running yet. Its wait for
/// RUNNING took no token, so a gateway whose replicas waited for a worker (or a cluster stopping as a whole) never exited.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SamplesProgramStopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigterm_WhileTheExampleWaitsForASilo_ProgramStopsWithExitCode0()
    {
        await using var redis = await RedisServer.StartAsync(Patience);
        var ports = FreePorts.Take(4);
        var environment = SiloProcess.ClusterEnvironment(redis.ConnectionString, $"samples-stop-{ports[0]}", ports[0], gatewayPort: 0, "Fast", "unused");
        environment.Remove("Serve__Assemblies__0");
        // No silo of this cluster hosts replicas and none joins: the example's replica waits, and RunAsync with it.
        environment["Serve__Silo__HostsReplicas"] = "false";
        environment["Serve__Cluster__AllowInsecure"] = "true";
        environment["Serve__Http__Port"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Serve__Http__Http2Port"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Serve__Admin__Port"] = ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var samples = new SamplesProcess("samples", "first-deployment", ports[0], environment);
        try
        {
            await samples.StartAsync(Patience);
            await samples.WaitForLineAsync(l => l.Contains("waits for a silo", StringComparison.Ordinal), Patience);

            var exitCode = await samples.TerminateAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, exitCode);
            Assert.DoesNotContain("Unhandled exception", samples.RecentOutput, StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine(samples.RecentOutput);
            throw;
        }
    }
}
