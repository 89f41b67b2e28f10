using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Serve.Tests.Cluster;

/// <summary>
/// An embedded cluster is one process that no other silo joins: its silo port is its own business. Two of them on one
/// machine (the samples and a team's own program, two <c>dotnet run</c>s) must both start without being told ports.
/// </summary>
public sealed class EmbeddedSiloPortTests
{
    [Fact]
    public async Task StartAsync_TwoEmbeddedSilosWithoutSiloPort_BothStartOnFreeLoopbackPorts()
    {
        using var first = BuildEmbeddedSilo([]);
        using var second = BuildEmbeddedSilo([]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await first.StartAsync(timeout.Token);
        try
        {
            await second.StartAsync(timeout.Token);
            await second.StopAsync(timeout.Token);
        }
        finally
        {
            await first.StopAsync(timeout.Token);
        }

        var ports = (Port(first), Port(second));
        Assert.NotEqual(ports.Item1, ports.Item2);
    }

    [Fact]
    public void Build_EmbeddedSiloWithSiloPort_ListensOnThatPort()
    {
        using var host = BuildEmbeddedSilo(new() { ["Serve:Cluster:SiloPort"] = "21112" });

        Assert.Equal(21112, Port(host));
    }

    private static int Port(IHost host) => host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.SiloPort;

    private static IHost BuildEmbeddedSilo(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServe());
        return builder.Build();
    }
}
