using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Cluster;

/// <summary>
/// What an external client (<c>client.UseServeCluster</c>) writes when it connects, with logging as a new program has
/// it (Information, nothing configured): one line naming the cluster, not Orleans' options; Orleans' warnings still pass.
/// </summary>
public sealed class ClientStartLogTests
{
    private static Dictionary<string, string?> Settings(string clusterId, int[] ports) => new()
    {
        ["Serve:Cluster:ClusterId"] = clusterId,
        ["Serve:Cluster:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
        ["Serve:Cluster:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
    };

    private static IHost BuildClient(Dictionary<string, string?> settings, RecordingLoggerFactory logs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        return builder.Build();
    }

    [Fact]
    public async Task StartAsync_DefaultLogging_OneLineNamingTheClusterAndNoOrleansInformation()
    {
        var ports = FreePorts.Take(2);
        var settings = Settings($"quiet-{Guid.NewGuid():N}", ports);
        var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        siloBuilder.Logging.SetMinimumLevel(LogLevel.Critical);
        siloBuilder.Configuration.AddInMemoryCollection(settings);
        siloBuilder.UseOrleans(silo => silo.UseServeCluster(siloBuilder.Configuration).AddServe());
        using var silo = siloBuilder.Build();
        await silo.StartAsync();
        var logs = new RecordingLoggerFactory();
        using var client = BuildClient(settings, logs);

        await client.StartAsync();
        var orleansWarnings = client.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Messaging.GatewayManager").IsEnabled(LogLevel.Warning);
        await client.StopAsync();
        await silo.StopAsync();

        var connected = Assert.Single(logs.Records, r => r.Id.Id == ServeEvents.ClusterConnected);
        Assert.Equal(LogLevel.Information, connected.Level);
        Assert.Equal($"Connected to Serve cluster '{settings["Serve:Cluster:ClusterId"]}' at 127.0.0.1:{ports[1]} (Serve:Cluster:GatewayPort)", connected.Message);
        Assert.DoesNotContain(logs.Records, r => r.Category.StartsWith("Orleans", StringComparison.Ordinal) && r.Level < LogLevel.Warning);
        Assert.True(orleansWarnings);
    }

    [Fact]
    public void Build_OrleansLevelConfigured_TheConfigurationWins()
    {
        var settings = Settings("c1", [30001, 30002]);
        settings["Logging:LogLevel:Orleans"] = "Information";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddProvider(new RecordingLoggerFactory());
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        using var host = builder.Build();

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.ClientOptionsLogger");

        Assert.True(logger.IsEnabled(LogLevel.Information));
    }
}
