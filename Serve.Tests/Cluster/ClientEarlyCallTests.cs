using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Cluster;

/// <summary>
/// A handle call an external client's program makes before its Orleans client has connected: a hosted service
/// registered before <c>UseOrleansClient</c>, or a web app whose hosted services start concurrently, so that Kestrel
/// serves requests while the client still connects. The call waits for the connection, then runs.
/// </summary>
public sealed class ClientEarlyCallTests
{
    [Fact]
    public async Task CallAsync_MadeBeforeTheClientConnected_RunsOnceItHas()
    {
        var ports = FreePorts.Take(2);
        var settings = new Dictionary<string, string?>
        {
            ["Serve:Cluster:ClusterId"] = $"early-{Guid.NewGuid():N}",
            ["Serve:Cluster:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
        };
        var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        siloBuilder.Logging.SetMinimumLevel(LogLevel.Critical);
        siloBuilder.Configuration.AddInMemoryCollection(settings);
        siloBuilder.UseOrleans(silo => silo.UseServeCluster(siloBuilder.Configuration).AddServe(o => o.DeploymentAssemblies.Add(typeof(Probe).Assembly)));
        using var silo = siloBuilder.Build();
        await silo.StartAsync();
        await silo.Services.GetRequiredService<IServeClient>().RunAsync(Deployment.For<Probe>().Bind(), "early", null);
        var clientBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        clientBuilder.Logging.SetMinimumLevel(LogLevel.Critical);
        clientBuilder.Configuration.AddInMemoryCollection(settings);
        clientBuilder.UseOrleansClient(client => client.UseServeCluster(clientBuilder.Configuration).AddServeClient());
        using var client = clientBuilder.Build();
        var handle = client.Services.GetRequiredService<IServeClient>().GetDeploymentHandle<IProbe>("Probe", "early");

        var early = handle.Remote.WhoAsync();
        await client.StartAsync();
        // Well past Orleans' response timeout (30 s), so a call that would only fail late is not taken for one that never ends.
        var who = await early.WaitAsync(TimeSpan.FromSeconds(45));
        var later = await handle.Remote.WhoAsync().WaitAsync(TimeSpan.FromSeconds(45));

        Assert.Equal(who, later);
        await client.StopAsync();
        await silo.StopAsync();
    }
}
